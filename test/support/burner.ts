import { spawn, type ChildProcess } from "node:child_process";

/**
 * A CPU-bound neighbour process for contention tests. It spins, and every million turns
 * asks who its parent is: once the test process is gone (killed runner, crashed worker),
 * it has been adopted by init (or a subreaper) and exits, instead of spinning on until
 * someone notices. Exported for the test that kills a burner's parent.
 */
export const BURNER_SOURCE = "const p=process.ppid;for(let i=1;;i++){if((i&0xfffff)===0&&process.ppid!==p)process.exit(0)}";

export function burner(): ChildProcess {
  return spawn(process.execPath, ["-e", BURNER_SOURCE], { stdio: "ignore" });
}
