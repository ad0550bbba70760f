import { spawn, type ChildProcess } from "node:child_process";

/**
 * A CPU-bound neighbour process for contention tests. It spins, and every million turns
 * asks who its parent is: once the test process is gone (killed runner, crashed worker),
 * it has been handed to init and exits, instead of spinning on until someone notices.
 */
const SPIN = "const p=process.ppid;for(let i=1;;i++){if((i&0xfffff)===0&&process.ppid!==p)process.exit(0)}";

export function burner(): ChildProcess {
  return spawn(process.execPath, ["-e", SPIN], { stdio: "ignore" });
}

/** The spin loop, for a test that starts a burner from a parent it then kills. */
export const BURNER_SOURCE = SPIN;
