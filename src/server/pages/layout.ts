import type { Principal } from "../../auth/tokens.js";
import { html, type Html } from "./html.js";

/** A token's principal the pages sign in (a webhook token opens nothing here). */
export type PagePrincipal = Principal & { role: "admin" | "operator" | "support" };

/** Who is looking at a page: nobody (public), or a principal with the session's CSRF token. */
export interface Viewer {
  principal: PagePrincipal | null;
  csrf: string | null;
}

export const PUBLIC_VIEWER: Viewer = { principal: null, csrf: null };

const ROLE_NAMES = { admin: "administration", operator: "structure de mutualisation", support: "support" } as const;

export interface PageOptions {
  title: string;
  viewer: Viewer;
  /** The search box's value (the search page repeats the query). */
  query?: string;
  /** Which menu entry is the current page. */
  current?: "recherche" | "carte" | "connexion";
}

function navLink(href: string, text: string, current: boolean): Html {
  return html`<li class="fr-nav__item"><a class="fr-nav__link" href="${href}"${current ? html` aria-current="page"` : ""}>${text}</a></li>`;
}

/** The DSFR page shell: skip links, header with the search form, main content, footer. No script. */
export function page(options: PageOptions, content: Html): Html {
  const { viewer } = options;
  const who = viewer.principal
    ? html`<li><span class="fr-btn fr-btn--tertiary-no-outline">Connecté : ${ROLE_NAMES[viewer.principal.role]}${viewer.principal.operator ? ` (${viewer.principal.operator})` : ""}</span></li>
        <li><form method="post" action="/deconnexion"><input type="hidden" name="csrf" value="${viewer.csrf ?? ""}"><button class="fr-btn fr-btn--tertiary" type="submit">Se déconnecter</button></form></li>`
    : html`<li><a class="fr-btn" href="/connexion">Se connecter (support)</a></li>`;
  return html`<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} — Domaines des communes</title>
<link rel="stylesheet" href="/dsfr/dsfr.min.css">
</head>
<body>
<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list">
      <li><a class="fr-link" href="#contenu">Aller au contenu</a></li>
      <li><a class="fr-link" href="#q">Aller à la recherche</a></li>
      <li><a class="fr-link" href="#pied">Aller au pied de page</a></li>
    </ul>
  </nav>
</div>
<header role="banner" class="fr-header">
  <div class="fr-header__body">
    <div class="fr-container">
      <div class="fr-header__body-row">
        <div class="fr-header__brand fr-enlarge-link">
          <div class="fr-header__brand-top">
            <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
          </div>
          <div class="fr-header__service">
            <a href="/" title="Accueil — Domaines des communes"><p class="fr-header__service-title">Domaines des communes</p></a>
            <p class="fr-header__service-tagline">Les adresses collectivite.fr de La Suite territoriale</p>
          </div>
        </div>
        <div class="fr-header__tools">
          <div class="fr-header__tools-links"><ul class="fr-btns-group">${who}</ul></div>
        </div>
      </div>
    </div>
  </div>
  <div class="fr-header__menu">
    <div class="fr-container">
      <nav class="fr-nav" role="navigation" aria-label="Menu principal">
        <ul class="fr-nav__list">
          ${navLink("/", "Rechercher une commune", options.current === "recherche")}
          ${navLink("/carte", "Carte des départements", options.current === "carte")}
        </ul>
      </nav>
    </div>
  </div>
</header>
<main id="contenu" role="main" tabindex="-1">
  <div class="fr-container fr-my-4w">
    <form role="search" method="get" action="/" class="fr-mb-4w">
      <div class="fr-input-group">
        <label class="fr-label" for="q">Rechercher une commune ou un domaine
          <span class="fr-hint-text">Un nom (avec ou sans accents), un code INSEE, un SIREN, un libellé ou un domaine comme saint-denis-93.collectivite.fr</span>
        </label>
        <div class="fr-search-bar">
          <input class="fr-input" type="search" id="q" name="q" value="${options.query ?? ""}" autocomplete="off">
          <button class="fr-btn" type="submit">Rechercher</button>
        </div>
      </div>
    </form>
    ${content}
  </div>
</main>
<footer class="fr-footer" role="contentinfo" id="pied">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__brand"><p class="fr-logo">République<br>Française</p></div>
      <div class="fr-footer__content">
        <p class="fr-footer__content-desc">Domaines des communes pour La Suite territoriale (ANCT). Les pages publiques ne montrent que ce que le DNS public montre déjà : les libellés et les services ouverts.</p>
      </div>
    </div>
  </div>
</footer>
</body>
</html>`;
}

/** A page whose whole content is a DSFR alert (errors, unknown keys): its title is the page's heading. */
export function alert(kind: "info" | "success" | "warning" | "error", title: string, body: Html | string): Html {
  return html`<div class="fr-alert fr-alert--${kind} fr-mb-3w"><h1 class="fr-alert__title">${title}</h1><p>${body}</p></div>`;
}
