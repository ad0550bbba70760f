import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { cli, tempLedger } from "../ledger/support/ledger-dir.js";

const require = createRequire(import.meta.url);
const cog = (year: number): string => require.resolve(`cog${year}/data/communes.json`);
const dirs: string[] = [];
const ledger = (): string => {
  const d = tempLedger("domaines-check-story-");
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Answer {
  state: string;
  sentence: string;
  status: Record<string, unknown> | null;
  story: ({ kind: string; text: string } & Record<string, unknown>)[];
  former: { steps: { kind: string; text: string }[]; successor: { key: string } | null }[];
  found: boolean;
}
const check = (dir: string, q: string, ...more: string[]): { code: number; answer: Answer; text: string } => {
  const json = cli(dir, ["check", q, "--json", ...more]);
  const text = cli(dir, ["check", q, ...more]).stdout;
  return { code: json.code, answer: JSON.parse(json.stdout) as Answer, text };
};
/** The state sentence is said once; no other line of the answer names another state of the label. */
const tellsOneState = (text: string, label: string): void => {
  const states = text.split("\n").filter((l) => new RegExp(`${label}(\\.collectivite\\.fr)? (is|it is) (free|allocated|reserved|an alias|a tombstone)|given to none|cannot be allocated`).test(l));
  expect(states, text).toHaveLength(1);
};

describe("check tells one story: the label's state first, then why", () => {
  it("a grandfathered bare label: allocated to its holder, the newcomer suffixed; never 'reserved'", () => {
    const d = ledger();
    expect(cli(d, ["allocate", "Sainte-Florence", "--communes", cog(2023)]).code).toBe(0);
    expect(cli(d, ["cog-sync", "--apply", "--communes", cog(2024)]).code).toBe(0);
    const { answer, text } = check(d, "sainte-florence", "--communes", cog(2024));
    expect(answer.state).toBe("allocated");
    expect(answer.status).toMatchObject({ grandfathered: true, holder: { key: "213304017" } });
    expect(answer.sentence).toMatch(/^sainte-florence\.collectivite\.fr is allocated to Sainte-Florence \(33, INSEE 33401\) since \d{4}-\d\d-\d\d \(kept by its holder after a homonym appeared\)\.$/);
    expect(answer.story.map((f) => f.kind)).toEqual(["homonyms", "kept-after-homonym"]);
    expect(answer.story[0]).toMatchObject({ keeper: { key: "213304017" }, slug: "sainte-florence" });
    expect(answer.story[0]!.text).toBe("2 current communes bear this name. Sainte-Florence (33) keeps sainte-florence; the others get their département added: sainte-florence-85 for Sainte-Florence (85).");
    tellsOneState(text, "sainte-florence");
  });

  it("on a fresh ledger: a homonym group's bare slug is reserved (by rule, not yet in the ledger); www is reserved for the platform", () => {
    const d = ledger();
    const sd = check(d, "saint-denis");
    expect(sd.code).toBe(0);
    expect(sd.answer).toMatchObject({ state: "reserved", status: { reason: "homonym-group", inLedger: false } });
    tellsOneState(sd.text, "saint-denis");
    const www = check(d, "www");
    expect(www.code).toBe(1);
    expect(www.answer).toMatchObject({ state: "reserved", status: { reason: "reserved-list" }, found: false });
    expect(www.answer.sentence).toBe("www.collectivite.fr is reserved for the platform and never given to a commune.");
    tellsOneState(www.text, "www");
  });

  it("a merged commune's INSEE code and SIREN, on a ledger started today: what happened, when, and where its mail goes", () => {
    const d = ledger();
    for (const q of ["93059", "219300597"]) {
      const { code, answer } = check(d, q);
      expect(code, q).toBe(0);
      expect(answer.state).toBe("former");
      expect(answer.sentence).toBe(`${q} designates no current commune: it was Pierrefitte-sur-Seine (93), merged into Saint-Denis (93) on 1 January 2025.`);
      expect(answer.former).toHaveLength(1);
      expect(answer.former[0]).toMatchObject({ steps: [{ kind: "merger", cog: 2025 }], successor: { key: "929939411", label: "saint-denis-93" } });
      expect(answer.story.find((f) => f.kind === "mail")!.text).toBe("The ledger never held a label for Pierrefitte-sur-Seine; Saint-Denis (93) holds no label in the ledger yet (it would get saint-denis-93).");
    }
    expect(cli(d, ["allocate", "93066"]).code).toBe(0);
    expect(check(d, "93059").answer.story.find((f) => f.kind === "mail")!.text).toBe("The ledger never held a label for Pierrefitte-sur-Seine; Saint-Denis (93) holds saint-denis-93.collectivite.fr (enrolled in no service yet).");
  });

  it("once the ledger lived through the merger: the old label is an alias and mail goes to the commune nouvelle", () => {
    const d = ledger();
    expect(cli(d, ["allocate", "93059", "93066", "--communes", cog(2024)]).code).toBe(0);
    expect(cli(d, ["onboard", "93059", "--services", "messages", "--direct", "--communes", cog(2024)]).code).toBe(0);
    expect(cli(d, ["cog-sync", "--apply", "--communes", cog(2025)]).code).toBe(0);
    const byCode = check(d, "93059").answer;
    expect(byCode.state).toBe("former");
    expect(byCode.story.find((f) => f.kind === "mail")).toMatchObject({
      formerLabel: "pierrefitte-sur-seine",
      successor: { key: "929939411", label: "saint-denis-93" },
      successorState: "allocated",
      services: ["messages"],
      text: "Mail for pierrefitte-sur-seine.collectivite.fr, Pierrefitte-sur-Seine's label, goes to Saint-Denis (93): the label is its alias; Saint-Denis (93) holds saint-denis-93.collectivite.fr (enrolled in messages).",
    });
    const byLabel = check(d, "pierrefitte-sur-seine");
    expect(byLabel.answer.state).toBe("alias");
    expect(byLabel.answer.sentence).toBe("pierrefitte-sur-seine.collectivite.fr is an alias of Saint-Denis (93, INSEE 93066): it belonged to Pierrefitte-sur-Seine, merged into it; mail for it goes there.");
    expect(byLabel.answer.story.some((f) => f.kind === "history" && /on 1 January 2025/.test(f.text))).toBe(true);
    tellsOneState(byLabel.text, "pierrefitte-sur-seine");
    // The old Saint-Denis's SIREN: the commune nouvelle inherited its label.
    expect(check(d, "219300662").answer.story.find((f) => f.kind === "mail")!.text).toBe("Mail for saint-denis-93.collectivite.fr, Saint-Denis's label, goes to Saint-Denis (93): it inherited that label.");
  });

  it("an old name of a renamed commune answers with the commune, what happened first", () => {
    const { answer } = check(ledger(), "Cransac");
    expect(answer.state).toBe("free");
    expect(answer.status).toMatchObject({ label: "cransac-les-thermes", computedFor: { key: "211200837" } });
    expect(answer.story[0]!.text).toBe("Cransac (12, INSEE 12083) was renamed Cransac-les-Thermes in the COG of 1 January 2026 (same commune, same SIREN).");
  });
});
