import { userInfo } from "node:os";
import { loadCommunes } from "../communes/load.js";
import type { CommuneData } from "../communes/schema.js";
import { loadConfig, type DomainesConfig } from "../config/load.js";
import { computeLabels, type ComputedLabel } from "../naming/labels.js";
import { loadReservedLabels } from "../naming/reserved.js";

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command sees: its arguments, output helpers, and lazily loaded shared data. */
export class CommandContext {
  private cache = new Map<string, unknown>();

  constructor(
    readonly positionals: string[],
    readonly values: OptionValues,
    private readonly stdout: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

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

  /** Human output (suppressed under --json so that stdout holds only JSON). */
  print(text = ""): void {
    if (!this.json) this.stdout(`${text}\n`);
  }

  /** A message for the person at the terminal, on stderr (never mixed into --json output). */
  warn(text: string): void {
    process.stderr.write(`domaines: ${text}\n`);
  }

  printJson(value: unknown): void {
    this.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  actor(): string {
    const explicit = this.string("actor") ?? process.env.DOMAINES_ACTOR;
    if (explicit) return explicit;
    try {
      return userInfo().username;
    } catch {
      return `uid:${process.getuid?.() ?? "unknown"}`;
    }
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  communeData(): CommuneData {
    return this.memo("communes", () => loadCommunes(this.string("communes")));
  }

  reserved(): Set<string> {
    return this.memo("reserved", () => loadReservedLabels());
  }

  config(): DomainesConfig {
    return this.memo("config", () => loadConfig(this.string("config")));
  }

  /** Computed labels of every current commune (homonymy is global, so always the whole list). */
  computedLabels(taken?: ReadonlySet<string>): Map<string, ComputedLabel> {
    if (taken) return computeLabels(this.communeData().communes, { reserved: this.reserved(), taken });
    return this.memo("labels", () => computeLabels(this.communeData().communes, { reserved: this.reserved() }));
  }
}
