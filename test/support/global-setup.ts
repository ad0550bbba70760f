import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * CLI tests run the compiled CLI, as users do: build once before the suite.
 * Type errors do not stop the emit here; `npm run typecheck` (in .ci/run) is the gate.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  try {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "pipe" });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`build reported errors (tests run on what was emitted):\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}\n`);
  }
}
