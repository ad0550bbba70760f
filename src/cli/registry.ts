import type { CommandSpec } from "./command.js";

interface Entry {
  name: string;
  summary: string;
  load: () => Promise<{ command: CommandSpec }>;
}

/** Every command, with its one-line summary (kept here so `--help` loads no command module). */
export const COMMANDS: Entry[] = [
  { name: "names", summary: "list every current commune (or one département) with its computed label", load: () => import("./commands/names.js") },
  { name: "check", summary: "which communes a name, code, label or domain designates, and why its label is what it is", load: () => import("./commands/check.js") },
];
