import { csvTable } from "./csv.js";

/**
 * The open dataset of art. 3.3: "un jeu de données … de toutes les collectivités
 * utilisatrices de la Suite territoriale ainsi que de l'ensemble des structures de
 * mutualisation partenaires", as a Frictionless Tabular Data Package: two CSV files and
 * a datapackage.json with a Table Schema for each. Public facts only: no quota, cost,
 * population-based figure, token or person. The columns are defined once, here; the
 * rows, the CSV header and the Table Schema all follow from them.
 */
interface Field {
  name: string;
  type: "string" | "integer" | "date";
  title: string;
  description: string;
  constraints?: { required?: boolean; unique?: boolean; pattern?: string; enum?: string[]; minimum?: number };
}

const SERVICES_PATTERN = "^(fichiers|messages)( (fichiers|messages))*$";

export const COLLECTIVITE_FIELDS = [
  { name: "siren", type: "string", title: "SIREN", description: "SIREN de la commune (vide pour une collectivité d'outre-mer qui n'en a pas)", constraints: { pattern: "^\\d{9}$" } },
  { name: "code_insee", type: "string", title: "Code INSEE", description: "Code officiel géographique de la commune", constraints: { required: true, unique: true, pattern: "^(\\d{5}|2[AB]\\d{3})$" } },
  { name: "nom", type: "string", title: "Nom", description: "Nom de la commune (COG)", constraints: { required: true } },
  { name: "code_departement", type: "string", title: "Département", description: "Code du département", constraints: { required: true, pattern: "^(\\d{2}|2[AB]|\\d{3})$" } },
  { name: "label", type: "string", title: "Label", description: "Sous-domaine attribué sous collectivite.fr", constraints: { required: true, unique: true, pattern: "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$" } },
  { name: "fqdn", type: "string", title: "Nom de domaine", description: "Nom de domaine complet de la commune", constraints: { required: true, unique: true } },
  { name: "services", type: "string", title: "Services", description: "Services de La Suite territoriale utilisés, séparés par une espace", constraints: { required: true, pattern: SERVICES_PATTERN } },
  { name: "depuis", type: "date", title: "Depuis", description: "Date de la première inscription à un service", constraints: { required: true } },
  { name: "structure", type: "string", title: "Structure de mutualisation", description: "Identifiant de la structure qui la couvre (structures.csv) ; vide en cas de déploiement direct par l'ANCT" },
  { name: "deploiement", type: "string", title: "Déploiement", description: "structure : par sa structure de mutualisation ; direct : par l'ANCT (contrat, art. 3.3)", constraints: { required: true, enum: ["structure", "direct"] } },
] as const satisfies readonly Field[];

export const STRUCTURE_FIELDS = [
  { name: "id", type: "string", title: "Identifiant", description: "Identifiant court de la structure", constraints: { required: true, unique: true, pattern: "^[a-z0-9][a-z0-9-]*$" } },
  { name: "nom", type: "string", title: "Nom", description: "Nom de la structure de mutualisation", constraints: { required: true } },
  { name: "siren", type: "string", title: "SIREN", description: "SIREN de la structure (vide tant qu'il n'est pas vérifié)", constraints: { pattern: "^\\d{9}$" } },
  { name: "intercommunalites", type: "string", title: "Intercommunalités membres", description: "SIREN des intercommunalités à fiscalité propre membres, séparés par une espace", constraints: { pattern: "^\\d{9}( \\d{9})*$" } },
  { name: "departements", type: "string", title: "Départements", description: "Départements des communes couvertes, séparés par une espace" },
  { name: "communes_couvertes", type: "integer", title: "Communes couvertes", description: "Communes membres, directement ou via une intercommunalité", constraints: { required: true, minimum: 0 } },
  { name: "collectivites_utilisatrices", type: "integer", title: "Collectivités utilisatrices", description: "Communes couvertes inscrites à au moins un service", constraints: { required: true, minimum: 0 } },
] as const satisfies readonly Field[];

type Row<F extends readonly Field[]> = Record<F[number]["name"], string | number | null>;
export type CollectiviteRow = Row<typeof COLLECTIVITE_FIELDS>;
export type StructureRow = Row<typeof STRUCTURE_FIELDS>;

export interface OpenDataset {
  "collectivites.csv": string;
  "structures.csv": string;
  "datapackage.json": string;
}

function resource(name: string, description: string, fields: readonly Field[], extra: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    path: `${name}.csv`,
    profile: "tabular-data-resource",
    title: name === "collectivites" ? "Collectivités utilisatrices" : "Structures de mutualisation partenaires",
    description,
    format: "csv",
    mediatype: "text/csv",
    encoding: "utf-8",
    dialect: { delimiter: ",", header: true, doubleQuote: true },
    schema: { fields, missingValues: [""], ...extra },
  };
}

export function renderOpenDataset(collectivites: readonly CollectiviteRow[], structures: readonly StructureRow[], created: string): OpenDataset {
  const pkg = {
    profile: "tabular-data-package",
    name: "la-suite-territoriale-collectivites",
    title: "La Suite territoriale : collectivités utilisatrices et structures de mutualisation partenaires",
    description: "Jeu de données prévu par le contrat de partenariat La Suite territoriale (art. 3.3) : les communes qui utilisent un service de La Suite territoriale sous collectivite.fr, et les structures de mutualisation partenaires. Ne contient ni quota, ni montant, ni donnée personnelle.",
    licenses: [{ name: "etalab-2.0", title: "Licence Ouverte / Open Licence version 2.0", path: "https://www.etalab.gouv.fr/licence-ouverte-open-licence" }],
    created,
    resources: [
      resource("collectivites", "Une ligne par commune inscrite à au moins un service.", COLLECTIVITE_FIELDS, {
        primaryKey: ["code_insee"],
        foreignKeys: [{ fields: ["structure"], reference: { resource: "structures", fields: ["id"] } }],
      }),
      resource("structures", "Une ligne par structure de mutualisation partenaire.", STRUCTURE_FIELDS, { primaryKey: ["id"] }),
    ],
  };
  return {
    "collectivites.csv": csvTable(COLLECTIVITE_FIELDS.map((f) => f.name), collectivites),
    "structures.csv": csvTable(STRUCTURE_FIELDS.map((f) => f.name), structures),
    "datapackage.json": `${JSON.stringify(pkg, null, 2)}\n`,
  };
}
