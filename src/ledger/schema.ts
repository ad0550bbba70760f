import { z } from "zod";

/**
 * One line of the ledger (data/ledger/ledger.jsonl): one record per LABEL, so that
 * "one holder per label" and "a tombstone is never reused" hold by construction.
 * A commune (key) holds exactly one `allocated` label (its primary); it may also hold
 * `reserved` labels (the label its new name would give, after a rename) and the labels
 * of communes merged into it point to it as `alias`.
 */
export const ledgerStateSchema = z.enum(["allocated", "alias", "reserved", "tombstone"]);
export type LedgerState = z.infer<typeof ledgerStateSchema>;

/** An ISO 8601 UTC or offset timestamp (a plain regex: z.iso.datetime costs twice as much on 35,000 lines). */
export const isoDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, "an ISO 8601 timestamp such as 2026-01-01T00:00:00.000Z");

/** A commune key: SIREN, or `insee:<code>` for overseas collectivités without one. */
export const communeKeySchema = z.string().regex(/^(\d{9}|insee:\d{5})$/, "a SIREN (9 digits) or insee:<5-digit code>");

/** A storage quota: decimal bytes, or "unlimited" (the Espace Opérateur's 0). */
export const quotaValueSchema = z.union([z.number().int().positive(), z.literal("unlimited")]);

export const enrolmentSchema = z.strictObject({
  enrolledAt: isoDateTimeSchema,
  /** Per-commune overrides by account type (mailbox, organization, user); absent = policy default. */
  quotas: z.record(z.string().regex(/^[a-z_]+$/), quotaValueSchema).default({}),
  /** Deployed directly by ANCT to a commune no mutualisation structure covers (contract art. 3.3): minimal quotas; absent otherwise. */
  direct: z.literal(true).optional(),
});
export type Enrolment = z.infer<typeof enrolmentSchema>;

export const ledgerEntrySchema = z.strictObject({
  label: z.string().min(1).max(63),
  state: ledgerStateSchema,
  /** The commune this label belongs to (SIREN or insee:<code>); null only for a homonym group's bare slug. */
  key: communeKeySchema.nullable(),
  /** For `alias`: the live commune key mail for this label goes to. */
  aliasOf: communeKeySchema.optional(),
  /** For an `allocated` label passed to a commune nouvelle: the key of the absorbed commune it came from. */
  inheritedFrom: communeKeySchema.optional(),
  /** For `reserved`: why nobody else may take it. */
  reservedReason: z.enum(["rename", "homonym-group"]).optional(),
  /** INSEE codes the holder has had, oldest first, with the date each was first seen. */
  inseeHistory: z.array(z.strictObject({ insee: z.string().regex(/^(\d{5}|2[AB]\d{3})$/), since: z.string() })).default([]),
  /** Names the holder took after `name`, oldest first (a rename appends; the label does not move). */
  nameHistory: z.array(z.strictObject({ name: z.string().min(1), since: z.string() })).default([]),
  /** Name and département of the holder when the label was allocated. */
  name: z.string().optional(),
  departement: z.string().optional(),
  allocatedAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  tombstonedAt: isoDateTimeSchema.optional(),
  /** Imported as already live, kept even where the algorithm would now give another label. */
  legacy: z.boolean().default(false),
  /** A bare label kept by its holder after a new homonym appeared elsewhere. */
  grandfathered: z.boolean().default(false),
  /** Services the commune is enrolled in (on its `allocated` label only): messages, fichiers, … */
  services: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), enrolmentSchema).default({}),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
