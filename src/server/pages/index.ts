import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fastifyCookie } from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authorizeCommuneRead, authorizeOperatorRead } from "../../auth/policy.js";
import type { Principal } from "../../auth/tokens.js";
import type { Commune } from "../../communes/schema.js";
import { DomainesError } from "../../errors.js";
import type { LedgerEntry } from "../../ledger/schema.js";
import { indexedFinder } from "../../naming/lookup.js";
import { queryAudit, AUDIT_MAX_LIMIT } from "../../operations/audit.js";
import { checkQuery, type CheckReaders } from "../../operations/check.js";
import { coveringOperator } from "../../operations/coverage.js";
import { validatedZone } from "../../operations/dns.js";
import { entriesOrNull, operatorCost, subscriptionPlan } from "../../operations/services.js";
import { verifyDomain } from "../../operations/verify.js";
import type { PluginHandlers, ServerContext, ServerPlugin } from "../context.js";
import { departementPage, departementShares, mapPage, primaryByKey } from "./carte.js";
import { communePage, type CommunePageData, type RestrictedData, type Section } from "./commune.js";
import { errorContent } from "./errors.js";
import { html, type Html } from "./html.js";
import { alert, page, PUBLIC_VIEWER, type PageOptions, type PagePrincipal, type Viewer } from "./layout.js";
import { loginPage } from "./login.js";
import { communeHref, searchResults } from "./search.js";
import { newFormToken, sameToken, SessionStore } from "./session.js";
import type { Place, StoryContext } from "./story.js";

export interface SupportPagesOptions {
  /** Session lifetime (default 8 hours). */
  sessionTtlMs?: number;
}

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const KEY_RE = /^(\d{9}|insee:\d{5})$/;
const DEPARTEMENT_RE = /^(\d{2}|2[AB]|\d{3})$/;
// Behind TLS in production (a proxy in front): the __Host- prefix needs Secure and path /.
const SESSION_COOKIE = "__Host-domaines-session";
const LOGIN_COOKIE = "__Host-domaines-connexion";
const COOKIE_OPTIONS = { httpOnly: true, sameSite: "strict" as const, secure: true, path: "/" };
// Page routes are not part of the API's OpenAPI document.
const PAGE = { schema: { hide: true } } as const;

const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "font-src 'self'",
  "script-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

function dsfrRoot(): string {
  return join(dirname(createRequire(import.meta.url).resolve("@gouvfr/dsfr/package.json")), "dist");
}

/** The roles the pages sign in: a webhook token opens nothing here. */
function pagePrincipal(p: Principal | null): PagePrincipal | null {
  return p && p.role !== "webhook" ? (p as PagePrincipal) : null;
}

/** True when the policy lets the principal do it (the policy functions throw otherwise). */
function allowed(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (err) {
    if (err instanceof DomainesError && err.code === "forbidden") return false;
    throw err;
  }
}

/** A part of a page computed on its own: a DomainesError becomes its message, the rest of the page stands. */
async function section<T>(compute: () => T | Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await compute() };
  } catch (err) {
    if (!(err instanceof DomainesError)) throw err;
    return { ok: false, error: err.message };
  }
}

/**
 * The support site (issue 12), registered by `domaines serve` beside the API (PLUGINS in
 * src/server/plugins.ts): French, server-rendered pages that work without JavaScript,
 * styled with the DSFR served from its package. Public pages show what public DNS shows
 * (labels, services); quotas, costs, audit and verification need a signed-in token, checked
 * by the server's own verifier on every request. Errors on these paths are French pages
 * (the server calls `errorPage`); the API keeps problem+json.
 */
export async function registerSupportPages(app: FastifyInstance, ctx: ServerContext, options: SupportPagesOptions = {}): Promise<PluginHandlers> {
  const ws = ctx.ws;
  const ttl = options.sessionTtlMs ?? SESSION_TTL_MS;
  const sessions = new SessionStore(ttl);
  const viewers = new WeakMap<FastifyRequest, Viewer>();

  // The server may already parse cookies and forms for every route: then its own are used.
  if (!app.hasDecorator("parseCookie")) await app.register(fastifyCookie);
  await app.register(fastifyStatic, { root: dsfrRoot(), prefix: "/dsfr/", decorateReply: false, index: false, maxAge: "1d" });
  if (!app.hasContentTypeParser("application/x-www-form-urlencoded")) {
    // Under the server's body limit, like every other request.
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  /** Who is asking: the session's token is verified again on every request (revocation applies at once). */
  const viewerOf = async (request: FastifyRequest): Promise<Viewer> => {
    const known = viewers.get(request);
    if (known) return known;
    // Outside this plugin's routes (the server's 404, a refusal before routing) cookies are not parsed yet.
    const cookies = request.cookies ?? fastifyCookie.parse(request.headers.cookie ?? "");
    const session = sessions.get(cookies[SESSION_COOKIE]);
    const principal = session ? pagePrincipal(await ctx.verifyToken(session.token)) : null;
    const viewer = principal && session ? { principal, csrf: session.csrf } : PUBLIC_VIEWER;
    viewers.set(request, viewer);
    return viewer;
  };
  app.addHook("preHandler", async (request) => {
    await viewerOf(request);
  });
  const viewerNow = (request: FastifyRequest): Viewer => viewers.get(request) ?? PUBLIC_VIEWER;

  const securityHeaders = (reply: FastifyReply, viewer: Viewer): void => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    if (viewer.principal) reply.header("cache-control", "no-store");
  };
  app.addHook("onSend", async (request, reply) => {
    securityHeaders(reply, viewerNow(request));
  });
  const send = (reply: FastifyReply, status: number, options: PageOptions, content: Html): FastifyReply => {
    securityHeaders(reply, options.viewer);
    return reply.code(status).type("text/html; charset=utf-8").send(page(options, content).text);
  };

  /**
   * A form post from another site is refused whatever it carries (SameSite=Strict already
   * keeps the cookie back). Sec-Fetch-Site decides when the browser sends it; else the
   * Origin's host must be this one (its scheme is not compared: behind a TLS proxy the
   * server sees http).
   */
  const sameOrigin = (request: FastifyRequest): boolean => {
    const site = request.headers["sec-fetch-site"];
    if (typeof site === "string") return site === "same-origin" || site === "none";
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === request.host;
    } catch {
      return false;
    }
  };
  const formField = (request: FastifyRequest, name: string): string | undefined => {
    const body = request.body as Record<string, unknown> | undefined;
    const v = body?.[name];
    return typeof v === "string" ? v : undefined;
  };

  // The ledger's entries; none yet when its directory does not exist (a fresh deployment).
  const ledgerEntries = async (): Promise<LedgerEntry[]> => (await entriesOrNull(ws, [])) ?? [];

  const place = (c: Place): Html => (c.key && ws.communeByKey(c.key) ? html`<a href="${communeHref(c.key)}">${c.name} (${c.departement})</a>` : html`${c.name} (${c.departement})`);
  // check: as the API reads it (indexes over the communes built once, the ledger lines from the cached store).
  let finder: ReturnType<typeof indexedFinder> | undefined;
  const readers: CheckReaders = { finder: () => (finder ??= indexedFinder(ws.communes(), ws.labels())), read: (values) => ws.store().readMentioning(values) };

  app.get("/", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const raw = (request.query as Record<string, unknown>).q;
    const q = typeof raw === "string" ? raw : "";
    if (q.trim() === "") return send(reply, 200, { title: "Rechercher une commune", viewer, current: "recherche" }, homeContent());
    let answer;
    try {
      answer = await checkQuery(ws, q, readers);
    } catch (err) {
      if (!(err instanceof DomainesError) || err.code !== "invalid-input") throw err;
      return send(reply, 400, { title: "Recherche impossible", viewer, query: q, current: "recherche" }, alert("error", "Recherche impossible", html`Cette recherche ne peut désigner ni une commune ni un domaine : <span lang="en">${err.message}</span>`));
    }
    const story: StoryContext = { zone: ws.zone(), reserved: ws.reserved(), place, status: answer.status };
    return send(reply, 200, { title: `Résultats pour ${q}`, viewer, query: q, current: "recherche" }, searchResults(answer, story));
  });

  /** What a signed-in viewer may see: nothing of a commune its structure does not cover (the API's policy). */
  const restrictedData = async (commune: Commune, primary: LedgerEntry | null, principal: PagePrincipal): Promise<RestrictedData> => {
    const covering = coveringOperator(ws, commune.key) ?? null;
    if (!allowed(() => authorizeCommuneRead(principal, covering?.name ?? null, commune.key))) return { inScope: false, subscriptions: [], structure: null, cost: null, audit: null };
    const year = new Date().getUTCFullYear();
    const cost = covering && allowed(() => authorizeOperatorRead(principal, covering.name)) ? await section(async () => (await operatorCost(ws, { operator: covering.name, year })).report) : null;
    return {
      inScope: true,
      subscriptions: primary ? subscriptionPlan(ws, [primary]).subscriptions : [],
      structure: covering ? { name: covering.name, title: covering.title } : null,
      cost,
      audit: await section(() => queryAudit(ws, { commune: commune.key, limit: AUDIT_MAX_LIMIT })),
    };
  };

  /** The commune page's data; what needs a token only when the viewer has one. */
  const communeData = async (key: string, viewer: Viewer): Promise<CommunePageData | null> => {
    const commune = ws.communeByKey(key);
    if (!commune) return null;
    const entries = await ledgerEntries();
    const mine = entries.filter((e) => e.key === commune.key || e.aliasOf === commune.key);
    const primary = mine.find((e) => e.state === "allocated" && e.key === commune.key) ?? null;
    const owner = primary ? (validatedZone(ws, entries, { departement: commune.departement }).owners.find((o) => o.label === primary.label) ?? null) : null;
    const restricted = viewer.principal ? await restrictedData(commune, primary, viewer.principal) : null;
    return { commune, computed: ws.labels().get(commune.key)!, zone: ws.zone(), primary, others: mine.filter((e) => e !== primary), owner, restricted, verification: null, resolvers: ctx.resolvers };
  };

  const notFoundCommune = (reply: FastifyReply, viewer: Viewer, key: string) =>
    send(reply, 404, { title: "Commune inconnue", viewer }, alert("warning", "Commune inconnue", html`Aucune commune actuelle n'a la clé « ${key} ». Cherchez-la par son nom, son code INSEE ou son ancien domaine depuis <a href="/">la recherche</a>.`));

  app.get("/communes/:key", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const { key } = request.params as { key: string };
    const data = KEY_RE.test(key) ? await communeData(key, viewer) : null;
    if (!data) return notFoundCommune(reply, viewer, key);
    return send(reply, 200, { title: `${data.commune.name} (${data.commune.departement})`, viewer }, communePage(data, viewer));
  });

  app.post("/communes/:key/verifier", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const { key } = request.params as { key: string };
    if (!viewer.principal) return reply.redirect("/connexion", 303);
    if (!sameOrigin(request) || !sameToken(formField(request, "csrf"), viewer.csrf ?? undefined)) {
      return send(reply, 403, { title: "Action refusée", viewer }, alert("error", "Action refusée", "Le formulaire a expiré ou ne vient pas de ce site ; rechargez la page de la commune et recommencez."));
    }
    const data = KEY_RE.test(key) ? await communeData(key, viewer) : null;
    if (!data) return notFoundCommune(reply, viewer, key);
    if (!data.restricted?.inScope) {
      return send(reply, 403, { title: "Action refusée", viewer }, alert("error", "Action refusée", "Cette commune n'est pas couverte par votre structure : sa vérification ne vous est pas ouverte."));
    }
    if (data.primary) {
      const fqdn = `${data.primary.label}.${data.zone}`;
      const servers = ctx.resolvers.length > 0 ? [...ctx.resolvers] : [undefined];
      try {
        data.verification = { outcomes: await Promise.all(servers.map((s) => verifyDomain(ws, fqdn, s))), error: null };
      } catch (err) {
        if (!(err instanceof DomainesError)) throw err;
        data.verification = { outcomes: [], error: err.message };
      }
      request.log.info({ actor: viewer.principal.actor, fqdn, resolvers: servers.map((s) => s ?? "(system resolver)"), failures: data.verification.outcomes.map((o) => o.failures), error: data.verification.error }, "support pages: vérifier");
    }
    return send(reply, 200, { title: `Vérification — ${data.commune.name}`, viewer }, communePage(data, viewer));
  });

  app.get("/departements/:code", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const code = (request.params as { code: string }).code.toUpperCase();
    const communes = DEPARTEMENT_RE.test(code) ? ws.communes().filter((c) => c.departement === code) : [];
    if (communes.length === 0) {
      return send(reply, 404, { title: "Département inconnu", viewer }, alert("warning", "Département inconnu", html`Aucune commune actuelle n'a le code de département « ${code} ». Voir <a href="/carte">la carte</a>.`));
    }
    const primaries = primaryByKey(await ledgerEntries());
    return send(reply, 200, { title: `Département ${code}`, viewer }, departementPage(code, communes, ws.labels(), primaries, ws.zone()));
  });

  app.get("/carte", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const shares = departementShares(ws.communes(), primaryByKey(await ledgerEntries()));
    return send(reply, 200, { title: "Carte des départements", viewer, current: "carte" }, mapPage(shares));
  });

  // Sign-in: the login form carries a token also set as an HttpOnly cookie (double submit), so another site cannot post it.
  app.get("/connexion", PAGE, async (request, reply) => {
    const csrf = newFormToken();
    reply.setCookie(LOGIN_COOKIE, csrf, { ...COOKIE_OPTIONS, maxAge: 3600 });
    return send(reply, 200, { title: "Connexion", viewer: viewerNow(request), current: "connexion" }, loginPage(csrf, null));
  });

  app.post("/connexion", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    const retry = (status: number, message: string) => {
      const csrf = newFormToken();
      reply.setCookie(LOGIN_COOKIE, csrf, { ...COOKIE_OPTIONS, maxAge: 3600 });
      return send(reply, status, { title: "Connexion", viewer, current: "connexion" }, loginPage(csrf, message));
    };
    if (!sameOrigin(request) || !sameToken(formField(request, "csrf"), request.cookies[LOGIN_COOKIE])) {
      return retry(403, "Le formulaire a expiré ou ne vient pas de ce site ; recommencez.");
    }
    const token = formField(request, "token")?.trim() ?? "";
    const principal = token === "" ? null : await ctx.verifyToken(token);
    // Never a hint of why: a bad, expired or revoked token reads the same.
    if (!principal) return retry(401, "Ce jeton n'est pas valide.");
    const signedIn = pagePrincipal(principal);
    if (!signedIn) return retry(403, "Ce jeton est celui d'un webhook : il n'ouvre pas les pages du support. Utilisez un jeton du support, d'une structure ou de l'administration.");
    sessions.delete(request.cookies[SESSION_COOKIE]);
    const { id } = sessions.create(token);
    request.log.info({ actor: signedIn.actor }, "support pages: signed in");
    reply.clearCookie(LOGIN_COOKIE, COOKIE_OPTIONS);
    reply.setCookie(SESSION_COOKIE, id, { ...COOKIE_OPTIONS, maxAge: Math.floor(ttl / 1000) });
    return reply.redirect("/", 303);
  });

  app.post("/deconnexion", PAGE, async (request, reply) => {
    const viewer = viewerNow(request);
    if (viewer.principal && (!sameOrigin(request) || !sameToken(formField(request, "csrf"), viewer.csrf ?? undefined))) {
      return send(reply, 403, { title: "Action refusée", viewer }, alert("error", "Action refusée", "Le formulaire a expiré ou ne vient pas de ce site."));
    }
    sessions.delete(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
    return reply.redirect("/", 303);
  });

  return {
    errorPage: async (request, reply, error, status) => {
      const viewer = await viewerOf(request);
      const { title, content } = errorContent(error);
      return send(reply, status, { title, viewer }, content);
    },
  };
}

/** The support pages as the server registers them, at the site root. */
export const supportPagesPlugin: ServerPlugin = {
  name: "support-pages",
  prefix: "",
  register: (app, ctx) => registerSupportPages(app, ctx),
};

function homeContent(): Html {
  const example = (q: string, text: string) => html`<li><a href="/?q=${encodeURIComponent(q)}">${text}</a></li>`;
  return html`<h1>Domaines des communes</h1>
<p>Chaque commune reçoit son adresse <strong>&lt;nom&gt;.collectivite.fr</strong> pour La Suite territoriale. Cette page explique quel domaine une commune a reçu, pourquoi, et ce qu'il est devenu après une fusion ou un changement de nom.</p>
<h2 class="fr-h5">Exemples</h2>
<ul>
  ${example("Saint-Denis", "Pourquoi saint-denis-93 et pas saint-denis ?")}
  ${example("saint-rémy.collectivite.fr", "saint-rémy est-il pris ?")}
  ${example("xn--saint-rmy-h4a.collectivite.fr", "Que veut dire xn--… ?")}
  ${example("Pierrefitte-sur-Seine", "Nous avons fusionné en 2025 : où va notre courrier ?")}
  ${example("Mende", "Une commune seule de son nom")}
</ul>
<p><a href="/carte">Quelles communes de mon département sont sur La Suite ?</a></p>`;
}
