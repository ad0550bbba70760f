import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The checkout or installed package root (holds package.json and data/), from src/ or dist/src/. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "data"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("domaines: cannot find the package root (package.json beside data/)");
    dir = parent;
  }
  root = dir;
  return dir;
}

export function dataPath(...parts: string[]): string {
  return join(projectRoot(), "data", ...parts);
}
