import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { DomainesError } from "../../errors.js";
import { checkQuery } from "../../operations/check.js";
import { validatedZone } from "../../operations/dns.js";
import { entriesOrNull, subscriptionPlan } from "../../operations/services.js";
import { suggestCommunes } from "../../operations/suggest.js";
import { verifyDomain } from "../../operations/verify.js";
import { coveringOperator } from "../../operations/coverage.js";
import type { Workspace } from "../../workspace.js";
import { departementPage, departementShares, mapPage, primaryByKey } from "./carte.js";
import { communePage, type CommunePageData } from "./commune.js";
import { html, type Html } from "./html.js";
import { alert, page, PUBLIC_VIEWER, type PageOptions, type Viewer } from "./layout.js";
import { loginPage } from "./login.js";
import { communeHref, searchResults, type SearchContext } from "./search.js";
import { newFormToken, sameToken, SessionStore } from "./session.js";

export type PageRole = "admin" | "operator" | "support";

/** What a valid token stands for (the server's principal has at least these fields). */
export interface PagePrincipal {
  role: PageRole;
  /** The structure of an operator token. */
  operator?: string | null;
}

export interface SupportPagesDeps {
  workspace: Workspace;
  /** The server's token check: the principal of a valid token, null for a bad, expired or revoked one. */
  verifyToken(token: string): PagePrincipal | null | Promise<PagePrincipal | null>;
  /** DNS servers (HOST:PORT) the "vérifier" action asks; none: the system's resolver. */
  resolvers?: readonly string[];
  /** Cookies marked Secure with the __Host- prefix (default true: production is behind TLS). */
  secureCookies?: boolean;
  /** Session lifetime (default 8 hours). */
  sessionTtlMs?: number;
}

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const KEY_RE = /^(\d{9}|insee:\d{5})$/;
const DEPARTEMENT_RE = /^(\d{2}|2[AB]|\d{3})$/;
const FORM_LIMIT = 8 * 1024;

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

/**
 * The support site (issue 12) as a fastify plugin: French, server-rendered pages that work
 * without JavaScript, styled with the DSFR served from its package. Public pages show what
 * public DNS shows (labels, services); quotas and verification need a signed-in token.
 * Register it in the server: `app.register(supportPages({ workspace, verifyToken }))`.
 */
export function supportPages(deps: SupportPagesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const ws = deps.workspace;
    const secure = deps.secureCookies ?? true;
    const sessionCookie = secure ? "__Host-domaines-session" : "domaines-session";
    const loginCookie = secure ? "__Host-domaines-connexion" : "domaines-connexion";
    const sessions = new SessionStore(deps.sessionTtlMs ?? SESSION_TTL_MS);
    const viewers = new WeakMap<FastifyRequest, Viewer>();
    const cookieOptions = { httpOnly: true, sameSite: "strict" as const, secure, path: "/" };

    // The server may already parse cookies and forms for every route: then its own are used.
    if (!app.hasDecorator("parseCookie")) await app.register(fastifyCookie);
    await app.register(fastifyStatic, { root: dsfrRoot(), prefix: "/dsfr/", decorateReply: false, index: false, maxAge: "1d" });
    if (!app.hasContentTypeParser("application/x-www-form-urlencoded")) {
      app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: FORM_LIMIT }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
    }

    app.addHook("onSend", async (request, reply) => {
      reply.header("content-security-policy", CSP);
      reply.header("x-content-type-options", "nosniff");
      reply.header("referrer-policy", "same-origin");
      if (viewers.get(request)?.principal) reply.header("cache-control", "no-store");
    });

    // Who is asking: the session's token is verified again on every request (revocation applies at once).
    app.addHook("preHandler", async (request) => {
      const session = sessions.get(request.cookies[sessionCookie]);
      const principal = session ? await deps.verifyToken(session.token) : null;
      viewers.set(request, principal && session ? { principal, csrf: session.csrf } : PUBLIC_VIEWER);
    });

    const viewerOf = (request: FastifyRequest): Viewer => viewers.get(request) ?? PUBLIC_VIEWER;
    const send = (reply: FastifyReply, status: number, options: PageOptions, content: Html): FastifyReply =>
      reply.code(status).type("text/html; charset=utf-8").send(page(options, content).text);

    /** A form post from another site is refused whatever it carries (SameSite=Strict already keeps the cookie back). */
    const sameOrigin = (request: FastifyRequest): boolean => {
      const site = request.headers["sec-fetch-site"];
      if (typeof site === "string" && site !== "same-origin" && site !== "none") return false;
      const origin = request.headers.origin;
      return origin === undefined || origin === `${request.protocol}://${request.host}`;
    };
    const formField = (request: FastifyRequest, name: string): string | undefined => {
      const body = request.body as Record<string, unknown> | undefined;
      const v = body?.[name];
      return typeof v === "string" ? v : undefined;
    };

    app.setErrorHandler((error, request, reply) => {
      const viewer = viewerOf(request);
      if (error instanceof DomainesError) {
        const status = error.code === "not-found" ? 404 : error.exitCode === 2 ? 400 : 500;
        return send(reply, status, { title: "Erreur", viewer }, alert("error", "La demande n'a pas abouti", error.message));
      }
      const status = (error as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) return send(reply, status, { title: "Requête refusée", viewer }, alert("error", "Requête refusée", "La demande est mal formée ou trop grande."));
      request.log.error(error);
      return send(reply, 500, { title: "Erreur interne", viewer }, alert("error", "Erreur interne", "Une erreur inattendue est survenue ; elle a été journalisée."));
    });

    // The ledger's entries; none yet when its directory does not exist (a fresh deployment).
    const ledgerEntries = async () => (await entriesOrNull(ws, [])) ?? [];

    const communeLink = (key: string): Html => {
      const c = ws.communeByKey(key);
      return c ? html`<a href="${communeHref(key)}">${c.name} (${c.departement})</a>` : html`l'ancienne commune ${key}`;
    };
    const inseeIndex = (): Map<string, string> => new Map(ws.communes().map((c) => [c.insee, c.key]));
    let keyOfInseeMap: Map<string, string> | undefined;
    const searchContext = (): SearchContext => ({
      zone: ws.zone(),
      reserved: ws.reserved(),
      commune: communeLink,
      keyOfInsee: (insee) => (keyOfInseeMap ??= inseeIndex()).get(insee) ?? null,
    });

    app.get("/", async (request, reply) => {
      const viewer = viewerOf(request);
      const raw = (request.query as Record<string, unknown>).q;
      const q = typeof raw === "string" ? raw : "";
      if (q.trim() === "") return send(reply, 200, { title: "Rechercher une commune", viewer, current: "recherche" }, homeContent());
      let answer;
      try {
        answer = await checkQuery(ws, q);
      } catch (err) {
        if (!(err instanceof DomainesError)) throw err;
        return send(reply, 400, { title: "Recherche impossible", viewer, query: q, current: "recherche" }, alert("error", "Recherche impossible", html`Cette recherche ne peut pas désigner une commune ni un domaine : ${err.message}`));
      }
      const suggestions = answer.found ? null : suggestCommunes(ws, q).suggestions;
      return send(reply, 200, { title: `Résultats pour ${q}`, viewer, query: q, current: "recherche" }, searchResults(answer, suggestions, searchContext()));
    });

    /** The commune page's data; what needs a token only when the viewer has one. */
    const communeData = async (key: string, viewer: Viewer): Promise<CommunePageData | null> => {
      const commune = ws.communeByKey(key);
      if (!commune) return null;
      const entries = await ledgerEntries();
      const mine = entries.filter((e) => e.key === commune.key || e.aliasOf === commune.key);
      const primary = mine.find((e) => e.state === "allocated" && e.key === commune.key) ?? null;
      const owner = primary ? (validatedZone(ws, entries, { departement: commune.departement }).owners.find((o) => o.label === primary.label) ?? null) : null;
      let restricted: CommunePageData["restricted"] = null;
      if (viewer.principal) {
        const member = coveringOperator(ws, commune.key);
        const inScope = viewer.principal.role !== "operator" || member?.name === viewer.principal.operator;
        restricted = { inScope, subscriptions: inScope && primary ? subscriptionPlan(ws, [primary]).subscriptions : [] };
      }
      return { commune, computed: ws.labels().get(commune.key)!, zone: ws.zone(), primary, others: mine.filter((e) => e !== primary), owner, restricted, verification: null };
    };

    const notFoundCommune = (reply: FastifyReply, viewer: Viewer, key: string) =>
      send(reply, 404, { title: "Commune inconnue", viewer }, alert("warning", "Commune inconnue", html`Aucune commune actuelle n'a la clé « ${key} ». Cherchez-la par son nom, son code INSEE ou son ancien domaine depuis <a href="/">la recherche</a>.`));

    app.get("/communes/:key", async (request, reply) => {
      const viewer = viewerOf(request);
      const { key } = request.params as { key: string };
      const data = KEY_RE.test(key) ? await communeData(key, viewer) : null;
      if (!data) return notFoundCommune(reply, viewer, key);
      return send(reply, 200, { title: `${data.commune.name} (${data.commune.departement})`, viewer }, communePage(data, viewer));
    });

    app.post("/communes/:key/verifier", async (request, reply) => {
      const viewer = viewerOf(request);
      const { key } = request.params as { key: string };
      if (!viewer.principal) return reply.redirect("/connexion", 303);
      if (!sameOrigin(request) || !sameToken(formField(request, "csrf"), viewer.csrf ?? undefined)) {
        return send(reply, 403, { title: "Action refusée", viewer }, alert("error", "Action refusée", "Le formulaire a expiré ou ne vient pas de ce site ; rechargez la page de la commune et recommencez."));
      }
      const data = KEY_RE.test(key) ? await communeData(key, viewer) : null;
      if (!data) return notFoundCommune(reply, viewer, key);
      if (data.primary) {
        const fqdn = `${data.primary.label}.${data.zone}`;
        const servers = deps.resolvers && deps.resolvers.length > 0 ? [...deps.resolvers] : [undefined];
        try {
          data.verification = { outcomes: await Promise.all(servers.map((s) => verifyDomain(ws, fqdn, s))), error: null };
        } catch (err) {
          if (!(err instanceof DomainesError)) throw err;
          data.verification = { outcomes: [], error: err.message };
        }
      }
      return send(reply, 200, { title: `Vérification — ${data.commune.name}`, viewer }, communePage(data, viewer));
    });

    app.get("/departements/:code", async (request, reply) => {
      const viewer = viewerOf(request);
      const code = (request.params as { code: string }).code.toUpperCase();
      const communes = DEPARTEMENT_RE.test(code) ? ws.communes().filter((c) => c.departement === code) : [];
      if (communes.length === 0) {
        return send(reply, 404, { title: "Département inconnu", viewer }, alert("warning", "Département inconnu", html`Aucune commune actuelle n'a le code de département « ${code} ». Voir <a href="/carte">la carte</a>.`));
      }
      const primaries = primaryByKey(await ledgerEntries());
      return send(reply, 200, { title: `Département ${code}`, viewer }, departementPage(code, communes, ws.labels(), primaries, ws.zone()));
    });

    app.get("/carte", async (request, reply) => {
      const viewer = viewerOf(request);
      const shares = departementShares(ws.communes(), primaryByKey(await ledgerEntries()));
      return send(reply, 200, { title: "Carte des départements", viewer, current: "carte" }, mapPage(shares));
    });

    // Sign-in: the login form carries a token also set as an HttpOnly cookie (double submit), so another site cannot post it.
    app.get("/connexion", async (request, reply) => {
      const csrf = newFormToken();
      reply.setCookie(loginCookie, csrf, { ...cookieOptions, maxAge: 3600 });
      return send(reply, 200, { title: "Connexion", viewer: viewerOf(request), current: "connexion" }, loginPage(csrf, null));
    });

    app.post("/connexion", async (request, reply) => {
      const viewer = viewerOf(request);
      const retry = (status: number, message: string) => {
        const csrf = newFormToken();
        reply.setCookie(loginCookie, csrf, { ...cookieOptions, maxAge: 3600 });
        return send(reply, status, { title: "Connexion", viewer, current: "connexion" }, loginPage(csrf, message));
      };
      if (!sameOrigin(request) || !sameToken(formField(request, "csrf"), request.cookies[loginCookie])) {
        return retry(403, "Le formulaire a expiré ou ne vient pas de ce site ; recommencez.");
      }
      const token = formField(request, "token")?.trim() ?? "";
      const principal = token === "" ? null : await deps.verifyToken(token);
      // Never a hint of why: a bad, expired or revoked token reads the same.
      if (!principal) return retry(401, "Ce jeton n'est pas valide.");
      sessions.delete(request.cookies[sessionCookie]);
      const { id } = sessions.create(token);
      reply.clearCookie(loginCookie, cookieOptions);
      reply.setCookie(sessionCookie, id, { ...cookieOptions, maxAge: Math.floor((deps.sessionTtlMs ?? SESSION_TTL_MS) / 1000) });
      return reply.redirect("/", 303);
    });

    app.post("/deconnexion", async (request, reply) => {
      const viewer = viewerOf(request);
      if (viewer.principal && (!sameOrigin(request) || !sameToken(formField(request, "csrf"), viewer.csrf ?? undefined))) {
        return send(reply, 403, { title: "Action refusée", viewer }, alert("error", "Action refusée", "Le formulaire a expiré ou ne vient pas de ce site."));
      }
      sessions.delete(request.cookies[sessionCookie]);
      reply.clearCookie(sessionCookie, cookieOptions);
      return reply.redirect("/", 303);
    });
  };
}

function homeContent(): Html {
  const example = (q: string, text: string) => html`<li><a href="/?q=${encodeURIComponent(q)}">${text}</a></li>`;
  return html`<h1>Domaines des communes</h1>
<p>Chaque commune reçoit son adresse <strong>&lt;nom&gt;.collectivite.fr</strong> pour La Suite territoriale. Cette page explique quel domaine une commune a reçu, pourquoi, et ce qu'il est devenu après une fusion ou un changement de nom.</p>
<h2 class="fr-h5">Exemples</h2>
<ul>
  ${example("Saint-Denis", "Pourquoi saint-denis-93 et pas saint-denis ?")}
  ${example("saint-rémy.collectivite.fr", "saint-rémy est-il pris ?")}
  ${example("xn--saint-rmy-h4a.collectivite.fr", "Que veut dire xn--… ?")}
  ${example("Mende", "Une commune seule de son nom")}
</ul>
<p><a href="/carte">Quelles communes de mon département sont sur La Suite ?</a></p>`;
}
