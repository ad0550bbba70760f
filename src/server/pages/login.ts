import { html, type Html } from "./html.js";

/** The sign-in form: a token (admin, operator or support) exchanged for a session cookie. */
export function loginPage(csrf: string, error: string | null): Html {
  return html`<h1>Connexion du support</h1>
<p>Les quotas, les coûts et la vérification DNS sont réservés au support, aux structures de mutualisation et à l'administration. Collez le jeton qui vous a été remis (<code>domaines token create</code>) : il est échangé contre une session ; il n'est jamais conservé par le navigateur.</p>
${error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Connexion refusée</h2><p>${error}</p></div>` : ""}
<form method="post" action="/connexion" class="fr-mb-4w">
  <input type="hidden" name="csrf" value="${csrf}">
  <div class="fr-input-group${error ? " fr-input-group--error" : ""}">
    <label class="fr-label" for="jeton">Jeton d'accès</label>
    <input class="fr-input" type="password" id="jeton" name="token" required autocomplete="off"${error ? html` aria-describedby="jeton-erreur"` : ""}>
    ${error ? html`<p id="jeton-erreur" class="fr-error-text">${error}</p>` : ""}
  </div>
  <button class="fr-btn" type="submit">Se connecter</button>
</form>`;
}
