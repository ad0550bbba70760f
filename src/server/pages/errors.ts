import type { DomainesError, ErrorCode } from "../../errors.js";
import { html, type Html } from "./html.js";
import { alert } from "./layout.js";

/**
 * The server's errors on the support pages' paths, as a French page (the API answers the
 * same errors as problem+json): a title and a sentence per stable code, the limit named
 * for `limit`. The English detail is shown only where it tells the reader what to fix.
 */
interface ErrorWords {
  title: string;
  text: (e: DomainesError) => string;
  /** Show the message (English) under the French text. */
  detail?: boolean;
}

const LIMITS: Record<string, (e: DomainesError) => string> = {
  "rate-limit": (e) => `Trop de pages demandées en une minute depuis ce poste ; réessayez dans ${typeof e.details?.retryAfterSeconds === "number" ? `${e.details.retryAfterSeconds} s` : "une minute"}.`,
  "body-size": () => "Le formulaire envoyé est trop volumineux.",
  "request-timeout": () => "Le serveur n'a pas pu répondre à temps ; rechargez la page.",
  "header-size": () => "La requête porte des en-têtes trop volumineux (des cookies d'un autre site ?).",
  "batch-size": () => "La demande porte trop d'éléments à la fois.",
};

const WORDS: Record<ErrorCode, ErrorWords> = {
  "invalid-input": { title: "Requête refusée", text: () => "La demande est mal formée.", detail: true },
  "not-found": { title: "Page introuvable", text: () => "Aucune page à cette adresse. Cherchez une commune depuis la recherche ou la carte." },
  ambiguous: { title: "Demande ambiguë", text: () => "Cette demande désigne plusieurs communes.", detail: true },
  reserved: { title: "Libellé réservé", text: () => "Ce libellé est réservé et ne peut être attribué.", detail: true },
  conflict: { title: "Conflit avec le registre", text: () => "La demande contredit le registre.", detail: true },
  "not-covered": { title: "Commune non couverte", text: () => "Aucune structure de mutualisation ne couvre cette commune.", detail: true },
  refused: { title: "Refusé par une règle de sécurité", text: () => "Une règle de sécurité a refusé la demande ; rien n'a été écrit.", detail: true },
  "ledger-damaged": { title: "Registre endommagé", text: () => "Le registre ne se lit pas ou a été modifié hors de domaines ; l'équipe plateforme doit lancer « domaines validate »." },
  locked: { title: "Registre occupé", text: () => "Une autre écriture tient le registre ; réessayez dans quelques secondes." },
  "lock-lost": { title: "Registre occupé", text: () => "Une autre écriture tient le registre ; réessayez dans quelques secondes." },
  database: { title: "Registre indisponible", text: () => "La base de données du registre ne répond pas ou n'a pas le schéma attendu ; réessayez dans quelques instants, puis prévenez l'équipe plateforme." },
  io: { title: "Erreur du serveur", text: () => "Le serveur n'a pas pu lire ou écrire ses fichiers ; l'équipe plateforme a le détail dans le journal." },
  service: { title: "Service distant indisponible", text: () => "Un service distant (Espace Opérateur, Messages, DNS) n'a pas répondu comme prévu.", detail: true },
  limit: { title: "Limite atteinte", text: (e) => (LIMITS[String(e.details?.limit)] ?? (() => "Une limite du serveur est atteinte."))(e) },
  unauthorized: { title: "Connexion nécessaire", text: () => "Cette page demande un jeton du support, d'une structure ou de l'administration." },
  forbidden: { title: "Accès refusé", text: () => "Votre jeton ne permet pas de voir cette page." },
  failed: { title: "Échec", text: () => "La demande n'a pas abouti.", detail: true },
  internal: { title: "Erreur interne", text: () => "Une erreur inattendue est survenue ; elle a été journalisée." },
};

/** The page's title and content for an error. */
export function errorContent(e: DomainesError): { title: string; content: Html } {
  const w = WORDS[e.code];
  const body = w.detail ? html`${w.text(e)} <span lang="en">${e.message}</span>` : w.text(e);
  return { title: w.title, content: html`${alert("error", w.title, body)}<p><a href="/">Retour à la recherche</a></p>` };
}
