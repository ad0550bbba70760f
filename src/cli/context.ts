import { userInfo } from "node:os";
import { InputError } from "../errors.js";
import { terminalSafe } from "../terminal-text.js";
import { writeJsonChunks } from "./json-out.js";
import type { NamingSource } from "../naming-source.js";
import type { Workspace, WorkspaceOptions } from "../workspace.js";

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/**
 * What a command sees: its arguments, output helpers, and the Workspace its flags
 * designate (--communes, --config, --ledger, and the service files where a command
 * takes them). Operations take the Workspace, never the context.
 */
export class CommandContext {
  /**
   * @param workspace the Workspace the flags designate (see workspaceOptions), or, for a
   *   naming-only command (CommandSpec.naming), only a naming source.
   */
  constructor(
    readonly positionals: string[],
    readonly values: OptionValues,
    private readonly workspace: Workspace | { naming: NamingSource },
    private readonly stdout: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  /** The Workspace: every operation's inputs. */
  get ws(): Workspace {
    if ("naming" in this.workspace) throw new Error("internal: a naming-only command asked for the whole Workspace (set CommandSpec.naming only on commands that need communes and labels alone)");
    return this.workspace;
  }

  /** Communes and labels: the Workspace's, or the compiled ones alone for a naming-only command. */
  get naming(): NamingSource {
    return "naming" in this.workspace ? this.workspace.naming : this.workspace;
  }

  get json(): boolean {
    return this.values.json === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === "string" ? v : undefined;
  }

  strings(name: string): string[] {
    const v = this.values[name];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
    return typeof v === "string" ? [v] : [];
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** Human output (suppressed under --json so that stdout holds only JSON); control characters from data made visible. */
  print(text = ""): void {
    if (!this.json) this.stdout(`${terminalSafe(text)}\n`);
  }

  /** A message for the person at the terminal, on stderr (never mixed into --json output). */
  warn(text: string): void {
    process.stderr.write(`domaines: ${terminalSafe(text)}\n`);
  }

  /** JSON on stdout: indented for a person at a terminal, compact when piped to a script (all of France is then 40 % smaller and faster). */
  printJson(value: unknown): void {
    if (process.stdout.isTTY) {
      this.stdout(`${JSON.stringify(value, null, 2)}\n`);
      return;
    }
    writeJsonChunks(value, this.stdout);
    this.stdout("\n");
  }

  /** Who makes the change, for the audit log: --actor, DOMAINES_ACTOR, else the OS user. */
  actor(): string {
    const flag = this.string("actor");
    const explicit = flag ?? process.env.DOMAINES_ACTOR;
    // An empty or blank name would silently record the OS user: refuse it rather than guess who acted.
    if (explicit !== undefined && explicit.trim() === "") {
      const source = flag !== undefined ? "--actor" : "DOMAINES_ACTOR";
      throw new InputError(`${source} is empty: give the name of who makes the change (for example --actor=jdupont@cdg48.fr), or leave ${source} unset to record the OS user`);
    }
    if (explicit) return explicit;
    try {
      return userInfo().username;
    } catch {
      return `uid:${process.getuid?.() ?? "unknown"}`;
    }
  }
}

/** The Workspace options the global and service flags designate. */
export function workspaceOptions(values: OptionValues): WorkspaceOptions {
  const opt = (name: string) => {
    const v = values[name];
    return typeof v === "string" ? v : undefined;
  };
  return {
    communesFile: opt("communes"),
    configFile: opt("config"),
    ledger: opt("ledger"),
    dkimFile: opt("dkim"),
    operatorsFile: opt("operators"),
    quotaPolicyFile: opt("quota-policy"),
    pricesFile: opt("prices"),
  };
}
