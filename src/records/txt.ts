/**
 * TXT values as DNS stores them: one or more character-strings of at most 255 octets
 * (RFC 1035 §3.3.14). The model keeps one whole value; zone file and verify split/join here.
 */

export const MAX_STRING_OCTETS = 255;

/** Splits a value into ≤ 255-octet strings on UTF-8 boundaries (validation allows only ASCII anyway). */
export function txtChunks(value: string): string[] {
  if (/^[\x00-\x7f]*$/.test(value)) {
    // ASCII (what validation allows): one octet per character, no Buffer needed.
    if (value.length <= MAX_STRING_OCTETS) return [value];
    const out: string[] = [];
    for (let i = 0; i < value.length; i += MAX_STRING_OCTETS) out.push(value.slice(i, i + MAX_STRING_OCTETS));
    return out;
  }
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length <= MAX_STRING_OCTETS) return [value];
  const chunks: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + MAX_STRING_OCTETS, bytes.length);
    // Never cut a multi-byte character: back up to the start of a UTF-8 sequence.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return chunks;
}

/**
 * One character-string in zone-file syntax: quoted, with `"` and `\` escaped and any
 * octet outside printable ASCII as \DDD, so that no value can end the string early.
 */
export function quoteTxtString(chunk: string): string {
  if (/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(chunk)) return `"${chunk}"`;
  let out = '"';
  for (const byte of Buffer.from(chunk, "utf8")) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Presentation form of a whole TXT value: its character-strings, quoted, space-separated. */
export function txtRdata(value: string): string {
  return txtChunks(value).map(quoteTxtString).join(" ");
}
