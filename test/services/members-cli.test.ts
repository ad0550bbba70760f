import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataPath } from "../../src/paths.js";
import { runCli } from "../support/cli.js";
import { tempDir, writeJson } from "./fixtures.js";

/**
 * Memberships and direct enrolments as an onboarding script and a platform engineer
 * run them: the compiled CLI on a ledger where Lozère is allocated, with the shipped
 * example operators (cdg48, and anct for direct enrolments) plus a second structure.
 */
let dir: string;
let ledger: string;
let operatorsPath: string;
let args: string[];

const MENDE = "214800955";
const BADAROUX = "214800138";
const CHANAC = "214800393";
const COEUR_DE_LOZERE = "244800405";
const AUBRAC_LOT_CAUSSES_TARN = "200069268"; // Chanac's EPCI

const json = (args: string[]) => {
  const r = runCli([...args, "--json"]);
  return { ...r, out: r.stdout ? JSON.parse(r.stdout) : null };
};
const audit = () => readFileSync(join(ledger, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const entry = (label: string) => readFileSync(join(ledger, "ledger.jsonl"), "utf8").split("\n").filter((l) => l.includes(`"label":"${label}"`)).map((l) => JSON.parse(l))[0];

beforeAll(() => {
  dir = tempDir("members");
  ledger = join(dir, "ledger");
  mkdirSync(ledger);
  const shipped = JSON.parse(readFileSync(dataPath("operators.json"), "utf8"));
  shipped.operators.push({ name: "autre", title: "Autre structure", siren: null, espaceOperateurId: "op-autre", members: [BADAROUX] });
  operatorsPath = writeJson(dir, "operators.json", shipped);
  args = ["--ledger", ledger, "--operators", operatorsPath];
  expect(runCli(["allocate", "--departement", "48", "--ledger", ledger]).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("communes no structure covers (contract art. 3.3)", () => {
  it("refuses to onboard one without --direct, with code not-covered and the two ways out", () => {
    const before = readFileSync(join(ledger, "ledger.jsonl"), "utf8");
    const r = json(["onboard", "Chanac", "--services", "messages", ...args]);
    expect(r.code).toBe(2);
    expect(r.out.error).toMatchObject({ code: "not-covered" });
    expect(r.out.error.message).toBe(`no mutualisation structure covers Chanac (48, INSEE 48039). Add it to one (domaines members add --operator NAME ${CHANAC}), or enrol it directly by ANCT with minimal quotas (contract art. 3.3): add --direct.`);
    expect(readFileSync(join(ledger, "ledger.jsonl"), "utf8")).toBe(before);
  });

  it("enrols it directly with --direct: the ledger says so, ANCT's operator holds it with the policy's minimal quotas", () => {
    const r = json(["onboard", "Chanac", "--services", "messages", "--direct", ...args]);
    expect(r.code).toBe(0);
    expect(r.out.services.messages).toMatchObject({ direct: true, quotas: {} });
    expect(entry("chanac").services.messages.direct).toBe(true);
    const q = json(["quotas", "--operator", "anct", ...args]);
    expect(q.code).toBe(0);
    expect(q.out.subscriptions.map((s: Record<string, unknown>) => [s.label, s.operator, s.reach, s.tokenEnv, s.quotas])).toEqual([
      ["chanac", "anct", "direct", "DOMAINES_EO_TOKEN_ANCT", [
        { accountType: "mailbox", size: 2e9, source: "minimal" },
        { accountType: "organization", size: 5e9, source: "minimal" },
      ]],
    ]);
    const text = runCli(["quotas", "--operator", "anct", ...args]);
    expect(text.stdout).toMatch(/chanac\.collectivite\.fr\s+messages operator anct \(direct enrolment by ANCT, contract art\. 3\.3\), service 2: mailbox 2 GB \(minimal\), organization 5 GB \(minimal\)/);
  });

  it("lists it for the structure of its département, not billed: cost --operator cdg48", () => {
    const r = json(["cost", "--operator", "cdg48", "--year", "2026", ...args]);
    expect(r.code).toBe(0);
    expect(r.out.directEnrolments).toEqual([{ key: CHANAC, name: "Chanac", departement: "48", label: "chanac", services: ["messages"], since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }]);
    expect(r.out.fee.members.map((m: { key: string }) => m.key)).not.toContain(CHANAC);
    expect(runCli(["cost", "--operator", "anct", ...args]).stderr).toMatch(/operator anct holds ANCT's direct enrolments \(contract art\. 3\.3\): it is no mutualisation structure and pays no fee/);
  });

  it("refuses --direct for a commune a structure covers, and a re-run without --direct of a direct enrolment", () => {
    const covered = json(["onboard", "Mende", "--services", "messages", "--direct", ...args]);
    expect(covered.code).toBe(2);
    expect(covered.out.error.code).toBe("conflict");
    expect(covered.out.error.message).toMatch(/^Mende \(48, INSEE 48095\) is covered by cdg48 \(member directly\): a direct enrolment \(--direct\) is for communes no structure covers/);
    expect(json(["onboard", "Chanac", "--services", "messages", ...args]).out.error.code).toBe("not-covered");
  });

  it("refuses --direct when no operator holds direct enrolments", () => {
    const noAnct = JSON.parse(readFileSync(operatorsPath, "utf8"));
    noAnct.operators = noAnct.operators.filter((o: { name: string }) => o.name !== "anct");
    const file = writeJson(dir, "no-anct.json", noAnct);
    const r = runCli(["onboard", "Ispagnac", "--services", "messages", "--direct", "--ledger", ledger, "--operators", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can be enrolled directly only through an operator that holds direct enrolments \(ANCT's, "directEnrolments": true in data\/operators.json\), and none is configured/);
  });
});

describe("domaines members", () => {
  it("refuses an EPCI with a commune another structure covers, naming it, and changes nothing", () => {
    const before = readFileSync(operatorsPath, "utf8");
    const r = json(["members", "add", "--operator", "cdg48", COEUR_DE_LOZERE, ...args]);
    expect(r.code).toBe(2);
    expect(r.out.error.code).toBe("conflict");
    expect(r.out.error.message).toBe(`nothing changed in cdg48's members:\n  EPCI CC Coeur de Lozère (${COEUR_DE_LOZERE}) has communes another structure covers: Badaroux (autre); a commune belongs to one structure at most`);
    expect(readFileSync(operatorsPath, "utf8")).toBe(before);
  });

  it("refuses an EPCI with a commune ANCT enrolled directly", () => {
    const r = json(["members", "add", "--operator", "cdg48", AUBRAC_LOT_CAUSSES_TARN, ...args]);
    expect(r.code).toBe(2);
    expect(r.out.error.message).toMatch(/EPCI CC Aubrac Lot Causses Tarn \(200069268\) has communes ANCT enrolled directly \(contract art\. 3\.3\): Chanac; offboard them first/);
  });

  it("removes a commune and adds an EPCI, each with an audit line naming the file content it led to", () => {
    const removed = json(["members", "remove", "--operator", "autre", "Badaroux", ...args]);
    expect(removed.code).toBe(2); // autre would be left with no member: the schema refuses
    expect(removed.out.error.message).toMatch(/a mutualisation structure needs at least one member commune or EPCI/);
    expect(json(["members", "add", "--operator", "autre", "Ispagnac", ...args]).code).toBe(0);
    expect(json(["members", "remove", "--operator", "autre", BADAROUX, ...args]).out.removed.map((m: { name: string }) => m.name)).toEqual(["Badaroux"]);
    const added = json(["members", "add", "--operator", "cdg48", COEUR_DE_LOZERE, ...args]);
    expect(added.code).toBe(0);
    expect(added.out.added).toEqual([{ kind: "epci", key: COEUR_DE_LOZERE, name: "CC Coeur de Lozère", departement: null, population: 15_635, communes: 7, enrolled: 0 }]);
    expect(added.stderr).toMatch(/Mende is also reached through CC Coeur de Lozère: it counts once in the fee/);
    const text = readFileSync(operatorsPath, "utf8");
    const cdg48 = JSON.parse(text).operators.find((o: { name: string }) => o.name === "cdg48");
    expect(cdg48.epcis).toEqual([COEUR_DE_LOZERE]);
    const last = audit().at(-1);
    expect(last).toMatchObject({ actor: expect.any(String), command: `domaines members add ${COEUR_DE_LOZERE} --operator cdg48`, event: { kind: "membership.add", operator: "cdg48", member: COEUR_DE_LOZERE, memberKind: "epci", communes: 7, file: operatorsPath } });
    expect(last.event.sha256).toBe(createHash("sha256").update(text).digest("hex"));
    expect(readdirSync(dir).filter((n) => n.includes(".tmp-") || n.endsWith(".lock"))).toEqual([]);
    const list = json(["members", "list", "--operator", "cdg48", ...args]);
    expect(list.out).toMatchObject({ covered: 12 }); // 6 listed + 7 of the EPCI, Mende in both
    expect(list.out.epcis).toHaveLength(1);
  });

  it("enrols a commune covered through the EPCI, and refuses to remove the EPCI while it is enrolled", () => {
    const on = json(["onboard", "Badaroux", "--services", "messages", ...args]);
    expect(on.code).toBe(0);
    expect(json(["quotas", "--operator", "cdg48", ...args]).out.subscriptions.map((s: { label: string; reach: string }) => [s.label, s.reach])).toEqual([["badaroux", "epci"]]);
    const before = readFileSync(operatorsPath, "utf8");
    const r = json(["members", "remove", "--operator", "cdg48", COEUR_DE_LOZERE, ...args]);
    expect(r.code).toBe(1);
    expect(r.out.error.code).toBe("refused");
    expect(r.out.error.message).toBe(`refused, nothing changed: removing CC Coeur de Lozère from cdg48 would delete the live Espace Opérateur subscription(s) of 1 enrolled commune(s):\n  Badaroux (${BADAROUX}): messages\nOffboard them first (domaines offboard <commune>), then remove the member.`);
    expect(readFileSync(operatorsPath, "utf8")).toBe(before);
  });

  it("says a commune reached only through an EPCI cannot be removed alone", () => {
    const r = json(["members", "remove", "--operator", "cdg48", "Badaroux", ...args]);
    expect(r.code).toBe(2);
    expect(r.out.error).toMatchObject({ code: "not-found", message: "Badaroux (48) is not listed itself in cdg48: it is member through CC Coeur de Lozère, and an EPCI's communes come and go with the EPCI." });
  });

  it("removes the EPCI once its enrolled commune is offboarded, and Mende stays covered as a direct member", () => {
    expect(runCli(["offboard", "Badaroux", "--ledger", ledger]).code).toBe(0);
    const r = json(["members", "remove", "--operator", "cdg48", COEUR_DE_LOZERE, ...args]);
    expect(r.code).toBe(0);
    expect(audit().at(-1).event).toMatchObject({ kind: "membership.remove", member: COEUR_DE_LOZERE });
    expect(json(["members", "list", "--operator", "cdg48", ...args]).out.covered).toBe(6);
  });

  it("refuses a SIREN that is neither a commune nor an EPCI, and members of the direct-enrolment operator", () => {
    expect(json(["members", "add", "--operator", "cdg48", "200000009", ...args]).out.error).toMatchObject({ code: "not-found", message: expect.stringMatching(/SIREN 200000009 is neither a current commune nor an intercommunalité à fiscalité propre/) });
    expect(json(["members", "add", "--operator", "anct", "Ispagnac", ...args]).out.error.message).toMatch(/operator anct holds ANCT's direct enrolments \(contract art\. 3\.3\): it covers no commune/);
    expect(json(["members", "frobnicate", "--operator", "cdg48", ...args]).out.error.message).toMatch(/the action is list, add or remove/);
  });
});

describe("onboard --quota …=default", () => {
  it("clears an override: the policy's quota applies again", () => {
    expect(json(["onboard", "Mende", "--services", "messages", "--quota", "messages.mailbox=1GB", ...args]).out.services.messages.quotas).toEqual({ mailbox: 1e9 });
    const cleared = json(["onboard", "Mende", "--services", "messages", "--quota", "messages.mailbox=default", ...args]);
    expect(cleared.out).toMatchObject({ changed: ["messages"], services: { messages: { quotas: {} } } });
    expect(entry("mende").services.messages.quotas).toEqual({});
    const mende = json(["quotas", "--operator", "cdg48", ...args]).out.subscriptions.find((s: { label: string }) => s.label === "mende");
    expect(mende.quotas[0]).toEqual({ accountType: "mailbox", size: 10e9, source: "tier>=10000" });
  });
});
