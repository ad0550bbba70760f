import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../src/server/pages/html.js";
import { runCli } from "../support/cli.js";
import { startPages, type PagesApp } from "./support/app.js";

const HOSTILE = `<img src=x onerror="alert(1)">&'`;

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
      writeFileSync(communesFile, JSON.stringify([commune("48001", `Évil ${HOSTILE}`, "214800013"), commune("48002", "Mende", "214800955")]));
      expect(runCli(["allocate", "48001", "--communes", communesFile, "--ledger", ledger, "--actor", "test"]).code).toBe(0);
      pages = await startPages({ ledger, communesFile });
    });
    afterAll(async () => {
      await pages.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("search, commune, département and map pages never echo markup from data or query", async () => {
      for (const url of ["/?q=48001", "/communes/214800013", "/departements/48", "/carte", `/?q=${encodeURIComponent(`"><script>alert(1)</script>`)}`, `/?q=${encodeURIComponent("Évil img")}`]) {
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

describe("public and signed-in views, sessions and forms", () => {
  const dir = mkdtempSync(join(tmpdir(), "domaines-pages-auth-"));
  let pages: PagesApp;
  beforeAll(async () => {
    expect(runCli(["allocate", "--departement", "48", "--ledger", dir, "--actor", "test"]).code).toBe(0);
    expect(runCli(["onboard", "Mende", "--services", "messages", "--ledger", dir, "--actor", "test"]).code).toBe(0);
    pages = await startPages({ ledger: dir, secureCookies: true });
  });
  afterAll(async () => {
    await pages.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cookieOf = (setCookie: string | string[] | undefined, name: string): string | undefined => {
    const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    return all.find((c) => c.startsWith(`${name}=`));
  };

  /** Signs in through the form as a browser would; returns the session cookie and the page's CSRF token. */
  async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
    const form = await pages.app.inject({ url: "/connexion" });
    const login = cookieOf(form.headers["set-cookie"], "__Host-domaines-connexion")!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const r = await pages.app.inject({ method: "POST", url: "/connexion", headers: { cookie: login.split(";")[0]!, "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams({ csrf, token }).toString() });
    expect(r.statusCode).toBe(303);
    const session = cookieOf(r.headers["set-cookie"], "__Host-domaines-session")!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Secure/);
    expect(session).not.toContain(token);
    const cookie = session.split(";")[0]!;
    const home = await pages.app.inject({ url: "/communes/214800955", headers: { cookie } });
    return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]! };
  }

  it("the public commune page shows label and services, not quotas; the signed-in one shows quotas", async () => {
    const pub = await pages.app.inject({ url: "/communes/214800955" });
    expect(pub.statusCode).toBe(200);
    expect(pub.body).toContain("mende.collectivite.fr");
    expect(pub.body).toContain("Messages (messagerie), depuis le");
    expect(pub.body).not.toContain("Abonnements et quotas");
    const { cookie } = await signIn("tok-support");
    const signed = await pages.app.inject({ url: "/communes/214800955", headers: { cookie } });
    expect(signed.body).toContain("Abonnements et quotas");
    expect(signed.body).toContain("Connecté : support");
    expect(signed.headers["cache-control"]).toBe("no-store");
  });

  it("an operator sees quotas only for its member communes", async () => {
    const { cookie } = await signIn("tok-other");
    const r = await pages.app.inject({ url: "/communes/214800955", headers: { cookie } });
    expect(r.body).toContain("n'est pas membre de votre structure");
  });

  it("refuses a bad token with one message, a login without its form token, and a cross-site post", async () => {
    const form = await pages.app.inject({ url: "/connexion" });
    const login = cookieOf(form.headers["set-cookie"], "__Host-domaines-connexion")!.split(";")[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const post = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
      pages.app.inject({ method: "POST", url: "/connexion", headers: { cookie: login, "content-type": "application/x-www-form-urlencoded", ...headers }, payload: new URLSearchParams(payload).toString() });
    const bad = await post({ csrf, token: "tok-nope" });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain("Ce jeton n&#39;est pas valide.");
    expect(cookieOf(bad.headers["set-cookie"], "__Host-domaines-session")).toBeUndefined();
    expect((await post({ token: "tok-support" })).statusCode).toBe(403);
    expect((await post({ csrf: "forged", token: "tok-support" })).statusCode).toBe(403);
    expect((await post({ csrf, token: "tok-support" }, { origin: "https://evil.example" })).statusCode).toBe(403);
    expect((await post({ csrf, token: "tok-support" }, { "sec-fetch-site": "cross-site" })).statusCode).toBe(403);
  });

  it("the verify action needs a session and its form token", async () => {
    const anonymous = await pages.app.inject({ method: "POST", url: "/communes/214800955/verifier", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "csrf=x" });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/connexion");
    const { cookie } = await signIn("tok-support");
    const forged = await pages.app.inject({ method: "POST", url: "/communes/214800955/verifier", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, payload: "csrf=forged" });
    expect(forged.statusCode).toBe(403);
  });

  it("a revoked token ends its session at the next request; signing out ends it too", async () => {
    const { cookie } = await signIn("tok-admin");
    expect((await pages.app.inject({ url: "/", headers: { cookie } })).body).toContain("Connecté : administration");
    pages.revoke("tok-admin");
    expect((await pages.app.inject({ url: "/", headers: { cookie } })).body).toContain("Se connecter (support)");
    const other = await signIn("tok-support");
    const out = await pages.app.inject({ method: "POST", url: "/deconnexion", headers: { cookie: other.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams({ csrf: other.csrf }).toString() });
    expect(out.statusCode).toBe(303);
    expect((await pages.app.inject({ url: "/", headers: { cookie: other.cookie } })).body).toContain("Se connecter (support)");
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
});
