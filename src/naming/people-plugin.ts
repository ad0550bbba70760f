/**
 * The label the `people` provisioning plugin (suitenumerique/people, 2025, removed in
 * 2026) gave a commune: `'` replaced with `-`, then Django's `slugify` (NFKD, non-ASCII
 * dropped, anything but word characters, spaces and hyphens removed, lowercase, runs of
 * spaces and hyphens as one `-`, `-` and `_` trimmed). It drops what NFKD does not
 * decompose: `Œuilly` → `uilly`, `Bonnœil` → `bonnil`. Its labels may be live, so
 * `import --zone` recognises them; no label is ever computed this way.
 */
export function peoplePluginSlug(name: string): string {
  const ascii = name
    .replace(/['’]/g, "-")
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "");
  return ascii
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
}
