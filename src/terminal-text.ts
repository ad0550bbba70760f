/**
 * Text for a terminal: names come from data files (a communes file, a ledger edited by
 * hand, a server's answer), and an ESC in a commune's name would let that file move the
 * cursor, rewrite earlier lines or retitle the window of whoever reads the output.
 * Control characters (C0 but newline and tab, DEL, C1) and the bidirectional overrides
 * that reorder what is shown are made visible as \x1b, \u202e, … instead.
 * JSON output needs none of this: JSON.stringify escapes C0, and a JSON reader is not a terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
