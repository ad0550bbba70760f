import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pidRunning } from "../../src/ledger/lock.js";
import { BURNER_SOURCE } from "../support/burner.js";

/** A zombie (exited, not yet reaped by whoever adopted it) no longer spins: only a live process counts. */
const spinning = (pid: number) => {
  if (!pidRunning(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a contention test's CPU burner does not outlive the process that started it", () => {
  it("exits within seconds once its parent is killed with SIGKILL", async () => {
    // The parent starts a burner, prints its pid, and waits; we kill the parent as a
    // killed test runner would be killed, then watch the burner.
    const parentSource = `const c=require("node:child_process").spawn(process.execPath,["-e",${JSON.stringify(BURNER_SOURCE)}],{stdio:"ignore"});console.log(c.pid);setInterval(()=>{},1000);`;
    const parent = spawn(process.execPath, ["-e", parentSource], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
    try {
      await sleep(300);
      expect(spinning(pid), "the burner runs while its parent lives").toBe(true);
      parent.kill("SIGKILL");
      let waited = 0;
      while (spinning(pid) && waited < 20_000) {
        await sleep(100);
        waited += 100;
      }
      expect(spinning(pid), `burner ${pid} still running ${waited} ms after its parent was killed`).toBe(false);
    } finally {
      parent.kill("SIGKILL");
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }, 30_000);
});
