import { z } from "zod";

/**
 * One record of `communes.json` as published by @etalab/decoupage-administratif
 * (2.x to 6.x). Only the fields we use are checked; other fields are allowed so that
 * a newer snapshot with extra columns still loads.
 */
export const rawCommuneSchema = z.looseObject({
  code: z.string().regex(/^(\d{5}|2[AB]\d{3})$/, "an INSEE code of 5 characters (2A/2B for Corsica)"),
  nom: z.string().min(1),
  type: z.enum(["commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"]),
  departement: z.string().regex(/^(\d{2}|2[AB]|\d{3})$/, "a département code such as 01, 2A or 974").optional(),
  region: z.string().optional(),
  siren: z.string().regex(/^\d{9}$/, "9 digits").optional(),
  codesPostaux: z.array(z.string().regex(/^\d{5}$/, "a 5-digit postal code")).optional(),
  population: z.number().int().nonnegative().optional(),
  chefLieu: z.string().optional(),
  commune: z.string().optional(),
  anciensCodes: z.array(z.string()).optional(),
});
export type RawCommune = z.infer<typeof rawCommuneSchema>;

/** A current commune, keyed by SIREN (or `insee:<code>` for overseas collectivités without one). */
export interface Commune {
  key: string;
  siren: string | null;
  insee: string;
  name: string;
  departement: string;
  region: string | null;
  population: number | null;
  postalCodes: string[];
  /** slugify(name), precomputed in the build-time compiled COG only (a pure function of the name). */
  slug?: string;
}

/** A commune déléguée or associée: its `chefLieu` names the commune nouvelle that absorbed it. */
export interface DelegatedCommune {
  insee: string;
  name: string;
  type: "commune-deleguee" | "commune-associee";
  chefLieu: string;
}

export interface CommuneData {
  source: string;
  /** True when read from the build-time compiled COG (whose labels are compiled too). */
  compiled?: boolean;
  communes: Commune[];
  delegated: DelegatedCommune[];
}
