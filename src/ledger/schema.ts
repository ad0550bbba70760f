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

/** A host name as the ledger keeps it: lowercase, no trailing dot (the record model adds it). */
export const hostNameSchema = z.string().max(253).regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lowercase host name without trailing dot, such as ns0.dom.scw.cloud");

/**
 * A label whose zone lives elsewhere (the people plugin's sub-zones at Scaleway): the
 * parent publishes only these NS records (and DS when the child is signed), nothing else
 * at or below the label. Where the records live, not who holds the label: the state
 * (allocated, alias) is unchanged.
 */
export const delegationSchema = z.strictObject({
  nameservers: z.array(hostNameSchema).min(1).max(13),
  /** DS records in presentation form `<key tag> <algorithm> <digest type> <hex digest>`; absent when the child is unsigned. */
  ds: z.array(z.string().regex(/^\d{1,5} \d{1,3} \d{1,3} [0-9A-F]{40,128}$/, "a DS record: <key tag> <algorithm> <digest type> <uppercase hex digest>")).min(1).optional(),
  /** TTL of the NS (and DS) records as found; absent = the configuration's dns.ttl. */
  ttl: z.number().int().min(60).max(604800).optional(),
  since: isoDateTimeSchema,
});
export type Delegation = z.infer<typeof delegationSchema>;

/**
 * A record found in the live zone and kept as the desired state of its label (`import
 * --zone --apply`), so that the first `pulumi up` after an import changes nothing. Names
 * are relative to the label ("" = the label itself, "_dmarc", "dimail._domainkey").
 */
export const adoptedRecordSchema = z.strictObject({
  /** Identity within the owner (Pulumi logical names derive from it). */
  purpose: z.string().regex(/^adopted-[a-z0-9-]{1,60}$/, "adopted-<name>-<n>"),
  name: z.string().max(190).regex(/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*)?$/, "a name relative to the label: lowercase labels of letters, digits, hyphens, underscores"),
  type: z.enum(["A", "AAAA", "CNAME", "MX", "TXT", "CAA"]),
  ttl: z.number().int().min(60).max(604800),
  /** Presentation value as the record model keeps it (TXT: the whole text, unquoted). */
  value: z.string().min(1).max(4000),
});
export type AdoptedRecord = z.infer<typeof adoptedRecordSchema>;

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
  /** The label's zone lives elsewhere (allocated or alias labels only); see delegationSchema. */
  delegation: delegationSchema.optional(),
  /** When `domaines undelegate` moved the label's records back into the parent zone (what explains the NS records going). */
  undelegatedAt: isoDateTimeSchema.optional(),
  /** Records adopted from the live zone (allocated or alias labels only): the label's desired records beside the model's. */
  adopted: z.array(adoptedRecordSchema).min(1).optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
