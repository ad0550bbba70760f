import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Real environment failures for tests: a tmpfs of a few KB (ENOSPC once full), a
 * read-only one (EROFS). Mounting needs root, which CI has: where it fails, the test
 * fails saying so; it never passes by skipping. The mount point is always a fresh
 * directory this helper creates, so that a mount can never cover anything else.
 */
export interface TinyFs {
  dir: string;
  /** Fills the file system up to its last byte (one filler file). */
  fill(): void;
  /** The directory's entries, besides the filler. */
  entries(): string[];
  remountReadOnly(): void;
  unmount(): void;
}

const FILLER = "filler.bin";

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(" ")}\` failed (${r.status ?? r.error?.message}): ${r.stderr.trim()}. These tests need root to mount a small tmpfs (CI runs as root).`);
  }
}

export function mountTinyFs(sizeKb = 64): TinyFs {
  const dir = mkdtempSync(join(tmpdir(), "domaines-tinyfs-"));
  run("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k,mode=1777`, "tmpfs", dir]);
  if (!readFileSync("/proc/mounts", "utf8").includes(` ${dir} tmpfs `)) throw new Error(`mount reported success but ${dir} is not a tmpfs`);
  return {
    dir,
    fill() {
      // One write of more than the size: the kernel writes what fits, the rest is ENOSPC.
      const r = spawnSync("sh", ["-c", `head -c ${(sizeKb + 64) * 1024} /dev/zero > ${join(dir, FILLER)}`]);
      if (r.status === 0) throw new Error(`${dir} did not fill up`);
      try {
        writeFileSync(join(dir, "probe"), "x");
        throw new Error(`${dir} still has room after filling`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    },
    entries: () => readdirSync(dir).filter((f) => f !== FILLER && f !== "probe").sort(),
    remountReadOnly: () => run("mount", ["-o", "remount,ro", dir]),
    unmount() {
      run("umount", [dir]);
      rmdirSync(dir);
    },
  };
}
