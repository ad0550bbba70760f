import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { domainToASCII } from "node:url";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../src/server/pages/html.js";
import { runCli } from "../support/cli.js";
import { createToken, fixture, revokeToken } from "../server/support/server.js";
import { buildPagesApp, type PagesApp } from "./support/app.js";

/**
 * The support pages inside the server `domaines serve` builds (fastify inject): the real
 * token store and verifier with tokens made by `domaines token create`, the server's
 * limits and error handlers, ledgers written by the CLI.
 */

const HOSTILE = `<img src=x onerror="alert(1)">&'`;
const MENDE = "214800955";
const MARVEJOLS = "214800922";

const cookieOf = (setCookie: string | string[] | undefined, name: string): string | undefined => {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return all.find((c) => c.startsWith(`${name}=`));
};
const form = (payload: Record<string, string>) => new URLSearchParams(payload).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const PROBLEM = /^application\/problem\+json(; charset=utf-8)?$/;

describe("every value is escaped", () => {
  it("html`` escapes interpolations, keeps Html and joins arrays", () => {
    expect(html`<p>${HOSTILE}</p>`.text).toBe(`<p>${escapeHtml(HOSTILE)}</p>`);
    expect(escapeHtml(HOSTILE)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(html`<ul>${["<a>", html`<li>ok</li>`]}</ul>`.text).toBe("<ul>&lt;a&gt;<li>ok</li></ul>");
    expect(html`${null}${undefined}${false}${0}`.text).toBe("0");
  });

  describe("a communes file with hostile names, through the real routes", () => {
    const dir = mkdtempSync(join(tmpdir(), "domaines-pages-hostile-"));
    const ledger = join(dir, "ledger");
    const communesFile = join(dir, "communes.json");
    let pages: PagesApp;
    beforeAll(async () => {
      mkdirSync(ledger);
      const commune = (code: string, nom: string, siren: string) => ({ code, nom, type: "commune-actuelle", departement: "48", region: "76", siren, population: 10 });
      writeFileSync(communesFile, JSON.stringify([commune("48001", `Évil ${HOSTILE}`, "214800013"), commune("48002", "Mende", MENDE)]));
      expect(runCli(["allocate", "48001", "--communes", communesFile, "--ledger", ledger, "--actor", "test"]).code).toBe(0);
      pages = await buildPagesApp({ ledger, communesFile });
    });
    afterAll(async () => {
      await pages.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("search, commune, département, map and error pages never echo markup from data or query", async () => {
      for (const url of ["/?q=48001", "/communes/214800013", "/departements/48", "/carte", `/?q=${encodeURIComponent(`"><script>alert(1)</script>`)}`, `/?q=${encodeURIComponent("Évil img")}`, `/${encodeURIComponent("<script>alert(1)</script>")}`]) {
        const r = await pages.app.inject({ url });
        expect(r.body, url).not.toMatch(/<img src=x|<script>alert/);
        if (url !== "/carte" && !url.includes("script")) expect(r.body, url).toContain("Évil &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
      }
      const bad = await pages.app.inject({ url: `/?q=${encodeURIComponent(`"><script>`)}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('value="&quot;&gt;&lt;script&gt;"');
    });
  });
});

describe("public and signed-in views, sessions and forms, with the server's tokens", () => {
  // Two structures: cdg48 covers Mende, autre covers Marvejols.
  const setup = fixture([
    { name: "cdg48", members: [MENDE] },
    { name: "autre", members: [MARVEJOLS] },
  ]);
  const tokens: Record<"support" | "admin" | "cdg48" | "autre" | "webhook", { id: string; token: string }> = {} as never;
  let pages: PagesApp;
  beforeAll(async () => {
    const cli = (args: string[]) => expect(runCli([...args, "--ledger", setup.ledger, "--actor", "test"]).code, args.join(" ")).toBe(0);
    cli(["allocate", "--departement", "48"]);
    cli(["onboard", "Mende", "--services", "messages", "--operators", setup.operators]);
    tokens.support = createToken(setup, ["--role", "support"]);
    tokens.admin = createToken(setup, ["--role", "admin"]);
    tokens.cdg48 = createToken(setup, ["--role", "operator", "--operator", "cdg48"]);
    tokens.autre = createToken(setup, ["--role", "operator", "--operator", "autre"]);
    tokens.webhook = createToken(setup, ["--role", "webhook"]);
    pages = await buildPagesApp(setup);
  });
  afterAll(async () => {
    await pages.close();
    rmSync(dirname(setup.ledger), { recursive: true, force: true });
  });

  /** Signs in through the form as a browser would; returns the session cookie and the page's CSRF token. */
  async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
    const page = await pages.app.inject({ url: "/connexion" });
    const login = cookieOf(page.headers["set-cookie"], "__Host-domaines-connexion")!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const r = await pages.app.inject({ method: "POST", url: "/connexion", headers: { cookie: login.split(";")[0]!, ...FORM }, payload: form({ csrf, token }) });
    expect(r.statusCode, r.body).toBe(303);
    const session = cookieOf(r.headers["set-cookie"], "__Host-domaines-session")!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Secure/);
    expect(session).not.toContain(token);
    const cookie = session.split(";")[0]!;
    const home = await pages.app.inject({ url: `/communes/${MENDE}`, headers: { cookie } });
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]! };
  }

  it("the public commune page shows label and services, not quotas, costs or audit; support sees them all", async () => {
    const pub = await pages.app.inject({ url: `/communes/${MENDE}` });
    expect(pub.statusCode).toBe(200);
    expect(pub.body).toContain("mende.collectivite.fr");
    expect(pub.body).toContain("Messages (messagerie), depuis le");
    for (const hidden of ["Abonnements et quotas", "Coûts de la structure", "Journal d'audit", "Vérifier mende"]) expect(pub.body).not.toContain(hidden);
    const { cookie } = await signIn(tokens.support.token);
    const signed = await pages.app.inject({ url: `/communes/${MENDE}`, headers: { cookie } });
    expect(signed.body).toContain("Abonnements et quotas");
    expect(signed.body).toContain("Connecté : support");
    expect(signed.headers["cache-control"]).toBe("no-store");
    // The structure's cost for this year, from operatorCost: Mende (population above 3,500) counts, directly.
    expect(signed.body).toContain("Structure cdg48 (<code>cdg48</code>) couvre cette commune");
    const fr = (n: number) => n.toLocaleString("fr-FR");
    expect(signed.body).toContain(`Cette commune y est comptée : ${fr(12_464)} habitants, plus de ${fr(3_500)}, membre directe de la structure ; 249,28 €.`);
    // The audit lines about Mende: its allocation and its enrolment, newest first.
    const rows = [...signed.body.matchAll(/<tr><td>[^<]+<\/td><td><code>([^<]+)<\/code><\/td><td><code>([^<]+)<\/code><\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => `${m[1]} | ${m[2]} | ${m[3]}`);
    expect(rows).toEqual(["test | domaines onboard Mende --services messages | mende : inscrite à Messages (messagerie)", "test | domaines allocate --departement 48 | mende créé : attribué"]);
  });

  it("an operator sees quotas, costs and audit of its own communes only, and cannot verify another's", async () => {
    const own = await signIn(tokens.cdg48.token);
    const mine = await pages.app.inject({ url: `/communes/${MENDE}`, headers: { cookie: own.cookie } });
    expect(mine.body).toContain("Connecté : structure de mutualisation (cdg48)");
    expect(mine.body).toContain("Coûts de la structure");
    expect(mine.body).toContain("mende : inscrite à Messages (messagerie)");
    const other = await signIn(tokens.autre.token);
    const theirs = await pages.app.inject({ url: `/communes/${MENDE}`, headers: { cookie: other.cookie } });
    expect(theirs.body).toContain("Cette commune n'est pas couverte par votre structure");
    for (const hidden of ["Abonnements et quotas", "Coûts de la structure", "inscrite à Messages", "Vérifier mende"]) expect(theirs.body).not.toContain(hidden);
    const verify = await pages.app.inject({ method: "POST", url: `/communes/${MENDE}/verifier`, headers: { cookie: other.cookie, ...FORM }, payload: form({ csrf: other.csrf }) });
    expect(verify.statusCode).toBe(403);
    // Its own commune Marvejols: allocated, not enrolled; the structure's summary counts no subscription.
    const marvejols = await pages.app.inject({ url: `/communes/${MARVEJOLS}`, headers: { cookie: other.cookie } });
    expect(marvejols.body).toContain("Structure autre (<code>autre</code>) couvre cette commune");
    expect(marvejols.body).toContain("Plafond de stockage : aucun abonnement, aucun coût de stockage.");
    expect(marvejols.body).toContain("marvejols créé : attribué");
  });

  it("a commune no structure covers: quotas and audit for support, and no cost to show", async () => {
    const { cookie } = await signIn(tokens.admin.token);
    const r = await pages.app.inject({ url: "/communes/214801409", headers: { cookie } });
    expect(r.body).toContain("Aucune structure de mutualisation ne couvre cette commune.");
    expect(r.body).toContain("saint-chely-d-apcher créé : attribué");
  });

  it("refuses a bad token with one message, a webhook token, a login without its form token, and a cross-site post", async () => {
    const page = await pages.app.inject({ url: "/connexion" });
    const login = cookieOf(page.headers["set-cookie"], "__Host-domaines-connexion")!.split(";")[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (payload: Record<string, string>, headers: Record<string, string> = {}) => pages.app.inject({ method: "POST", url: "/connexion", headers: { cookie: login, ...FORM, ...headers }, payload: form(payload) });
    const bad = await post({ csrf, token: `domaines_t${"0".repeat(12)}_${"x".repeat(43)}` });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain("Ce jeton n&#39;est pas valide.");
    expect(cookieOf(bad.headers["set-cookie"], "__Host-domaines-session")).toBeUndefined();
    const webhook = await post({ csrf, token: tokens.webhook.token });
    expect(webhook.statusCode).toBe(403);
    expect(webhook.body).toContain("il n&#39;ouvre pas les pages du support");
    expect(cookieOf(webhook.headers["set-cookie"], "__Host-domaines-session")).toBeUndefined();
    expect((await post({ token: tokens.support.token })).statusCode).toBe(403);
    expect((await post({ csrf: "forged", token: tokens.support.token })).statusCode).toBe(403);
    expect((await post({ csrf, token: tokens.support.token }, { origin: "https://evil.example" })).statusCode).toBe(403);
    expect((await post({ csrf, token: tokens.support.token }, { "sec-fetch-site": "cross-site" })).statusCode).toBe(403);
    // Behind a TLS proxy the browser's Origin is https while the server sees http: the host decides.
    expect((await post({ csrf, token: tokens.support.token }, { origin: "https://localhost:80" })).statusCode).toBe(303);
  });

  it("the verify action needs a session and its form token", async () => {
    const anonymous = await pages.app.inject({ method: "POST", url: `/communes/${MENDE}/verifier`, headers: FORM, payload: "csrf=x" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/connexion");
    const { cookie } = await signIn(tokens.support.token);
    const forged = await pages.app.inject({ method: "POST", url: `/communes/${MENDE}/verifier`, headers: { cookie, ...FORM }, payload: "csrf=forged" });
    expect(forged.statusCode).toBe(403);
  });

  it("a token revoked with `domaines token revoke` ends its session at the next request; signing out ends it too", async () => {
    const { cookie } = await signIn(tokens.admin.token);
    expect((await pages.app.inject({ url: "/", headers: { cookie } })).body).toContain("Connecté : administration");
    revokeToken(setup, tokens.admin.id);
    expect((await pages.app.inject({ url: "/", headers: { cookie } })).body).toContain("Se connecter (support)");
    const other = await signIn(tokens.support.token);
    const out = await pages.app.inject({ method: "POST", url: "/deconnexion", headers: { cookie: other.cookie, ...FORM }, payload: form({ csrf: other.csrf }) });
    expect(out.statusCode).toBe(303);
    expect((await pages.app.inject({ url: "/", headers: { cookie: other.cookie } })).body).toContain("Se connecter (support)");
  });

  it("a name with or without accents, its INSEE code, SIREN, label, FQDN, IDN and A-label: the same commune, the same state", async () => {
    const queries = ["Saint-Chély-d'Apcher", "saint chely d apcher", "SAINT-CHELY-D'APCHER", "48140", "214801409", "saint-chely-d-apcher", "saint-chely-d-apcher.collectivite.fr", "saint-chély-d-apcher.collectivite.fr", `${domainToASCII("saint-chély-d-apcher")}.collectivite.fr`];
    expect(queries.at(-1)).toMatch(/^xn--/);
    const answers = await Promise.all(
      queries.map(async (q) => {
        const r = await pages.app.inject({ url: `/?q=${encodeURIComponent(q)}` });
        expect(r.statusCode, q).toBe(200);
        const headline = /<p class="fr-text--lead" data-testid="etat-libelle" data-state="([a-z-]+)">(.*?)<\/p>/s.exec(r.body);
        const cards = [...(/<ul class="fr-raw-list" id="communes-trouvees">(.*?)<\/ul>\n/s.exec(r.body)?.[1] ?? "").matchAll(/<h3[^>]*><a href="([^"]+)">/g)].map((m) => m[1]);
        return { q, state: headline?.[1], headline: headline?.[2], cards };
      }),
    );
    for (const a of answers) {
      expect({ q: a.q, state: a.state, cards: a.cards }).toEqual({ q: a.q, state: "allocated", cards: ["/communes/214801409"] });
      expect(a.headline, a.q).toBe(answers[0]!.headline);
    }
    expect(answers[0]!.headline).toMatch(/^<strong>saint-chely-d-apcher\.collectivite\.fr<\/strong> est attribué à <a href="\/communes\/214801409">Saint-Chély-d&#39;Apcher \(48\)<\/a> depuis le /);
  });

  it("serves the DSFR from its package, and the pages load nothing from another site", async () => {
    const home = await pages.app.inject({ url: "/" });
    const refs = [...home.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((u) => !u.startsWith("/") && !u.startsWith("#"))).toEqual([]);
    const css = refs.filter((u) => u.startsWith("/dsfr/") && u.endsWith(".css"));
    expect(css).toEqual(["/dsfr/dsfr.min.css"]);
    const dist = join(dirname(createRequire(import.meta.url).resolve("@gouvfr/dsfr/package.json")), "dist");
    for (const u of css) {
      const r = await pages.app.inject({ url: u });
      expect(r.statusCode, u).toBe(200);
      expect(r.headers["content-type"], u).toMatch(/^text\/css/);
      expect(r.body, u).toBe(readFileSync(join(dist, u.slice("/dsfr/".length)), "utf8"));
    }
    // What the stylesheet loads (the Marianne fonts, the icons) is served beside it.
    const assets = [...new Set([...readFileSync(join(dist, "dsfr.min.css"), "utf8").matchAll(/url\("?([^")]+\.woff2)"?\)/g)].map((m) => m[1]!))];
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect((await pages.app.inject({ url: new URL(a, "http://x/dsfr/").pathname })).statusCode, a).toBe(200);
  });

  it("sends a CSP without scripts, answers 404 for unknown communes and départements", async () => {
    const r = await pages.app.inject({ url: "/" });
    expect(r.headers["content-security-policy"]).toContain("script-src 'none'");
    expect((await pages.app.inject({ url: "/communes/999999999" })).statusCode).toBe(404);
    expect((await pages.app.inject({ url: "/communes/not-a-key" })).statusCode).toBe(404);
    expect((await pages.app.inject({ url: "/departements/99" })).statusCode).toBe(404);
    const dep = await pages.app.inject({ url: "/departements/48" });
    // 152 Lozère communes, each a row with a link to its page.
    expect(dep.body.match(/<tr><td><a href="\/communes\//g)).toHaveLength(152);
  });

  it("HTML error pages for page paths, problem+json for the API, probes and metrics", async () => {
    const page = await pages.app.inject({ url: "/nulle-part" });
    expect(page.statusCode).toBe(404);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("script-src 'none'");
    expect(page.body).toContain('<h1 class="fr-alert__title">Page introuvable</h1>');
    expect((await pages.app.inject({ url: "/dsfr/absent.css" })).headers["content-type"]).toBe("text/html; charset=utf-8");
    for (const url of ["/api/v1/nulle-part", "//api//v1//nulle-part", "/api", "/metrics"]) {
      const api = await pages.app.inject({ url });
      expect(api.headers["content-type"], url).toMatch(PROBLEM);
      expect((JSON.parse(api.body) as { code: string }).code, url).toBe(url === "/metrics" ? "unauthorized" : "not-found");
    }
    const unauth = await pages.app.inject({ url: `/api/v1/communes/${MENDE}` });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.headers["content-type"]).toMatch(PROBLEM);
    // A signed-in viewer keeps their header on an error page.
    const { cookie } = await signIn(tokens.support.token);
    expect((await pages.app.inject({ url: "/nulle-part", headers: { cookie } })).body).toContain("Connecté : support");
  });

  it("the pages are no part of the API's OpenAPI document", async () => {
    const doc = JSON.parse((await pages.app.inject({ url: "/api/v1/openapi.json" })).body) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith("/api/") && !["/healthz", "/readyz", "/metrics"].includes(p))).toEqual([]);
  });
});

describe("the server's limits on the pages: French pages, the API's refusals unchanged", () => {
  const setup = fixture([{ name: "cdg48", members: [MENDE] }]);
  afterAll(() => rmSync(dirname(setup.ledger), { recursive: true, force: true }));

  it("rate-limit: 429 with Retry-After, an HTML page on the site, problem+json on the API", async () => {
    const pages = await buildPagesApp({ ...setup, limits: { ratePerMinute: 2 } });
    try {
      for (let i = 0; i < 2; i++) expect((await pages.app.inject({ url: "/" })).statusCode).toBe(200);
      const page = await pages.app.inject({ url: "/carte" });
      expect(page.statusCode).toBe(429);
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(Number(page.headers["retry-after"])).toBeGreaterThan(0);
      expect(page.body).toContain(`Trop de pages demandées en une minute depuis ce poste ; réessayez dans ${page.headers["retry-after"]} s.`);
      const api = await pages.app.inject({ url: "/api/v1/check?q=Mende" });
      expect([api.statusCode, (JSON.parse(api.body) as { details: { limit: string } }).details.limit]).toEqual([429, "rate-limit"]);
      expect(api.headers["content-type"]).toMatch(PROBLEM);
    } finally {
      await pages.close();
    }
  });

  it("body-size: a form over the server's body limit is refused with a French page", async () => {
    const pages = await buildPagesApp({ ...setup, limits: { bodyBytes: 1024 } });
    try {
      const r = await pages.app.inject({ method: "POST", url: "/connexion", headers: FORM, payload: form({ csrf: "x", token: "y".repeat(2000) }) });
      expect(r.statusCode).toBe(413);
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(r.body).toContain("Le formulaire envoyé est trop volumineux.");
      const api = await pages.app.inject({ method: "POST", url: "/api/v1/onboardings", headers: { "content-type": "application/json" }, payload: JSON.stringify([{ query: "x".repeat(2000), services: ["messages"] }]) });
      expect(api.headers["content-type"]).toMatch(PROBLEM);
    } finally {
      await pages.close();
    }
  });
});
