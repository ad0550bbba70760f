import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/registry.js";
import { GLOBAL_OPTIONS } from "../../src/cli/command.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "domaines-help-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The commune queries of one example line: its positionals (commands that take a query), or its FQDN (verify). */
function queriesOf(example: string, spec: { name: string; options: Record<string, { type: string }>; positionals: { name: string } }): string[] {
  const words = [...example.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const at = words.indexOf(spec.name);
  if (words[0] !== "domaines" || at !== 1) return [];
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const out: string[] = [];
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    if (w === "#" || w.startsWith("#")) break;
    if (w.startsWith("--")) {
      if (options[w.slice(2)]?.type === "string") i++;
      continue;
    }
    out.push(w);
  }
  return spec.positionals.name === "query" || spec.positionals.name === "fqdn" ? out : [];
}

describe("every example in every command's --help designates a real commune", () => {
  it("checks each query of each example against the bundled data", async () => {
    let checked = 0;
    for (const entry of COMMANDS) {
      const { command } = await entry.load();
      const help = runCli([entry.name, "--help"]).stdout;
      const examples = help.split("Examples:\n")[1]!.split("\n\n")[0]!.split("\n").map((l) => l.trim());
      expect(examples, entry.name).toEqual(command.examples);
      for (const example of examples) {
        for (const q of queriesOf(example, command)) {
          const r = runCli(["check", q, "--json", "--ledger", dir]);
          expect(r.code, `${example}: ${q}: ${r.stderr}`).toBe(0);
          const answer = JSON.parse(r.stdout) as { matches: { key: string }[]; former: { successor: { key: string } | null }[] };
          // A current commune, or a former one (check 93059) whose successor is current.
          expect(answer.matches.length + answer.former.filter((f) => f.successor).length, `${example}: ${q}`).toBeGreaterThan(0);
          // Commands that change the ledger need one commune, not a group.
          if (["allocate", "onboard", "offboard"].includes(entry.name)) expect(answer.matches, `${example}: ${q}`).toHaveLength(1);
          checked++;
        }
      }
    }
    // check ×6, allocate ×4 (Mende, 211200837, 214800955, saint-denis-93), onboard ×2, offboard ×2, verify ×3.
    expect(checked).toBe(19);
  });
});
