/**
 * Keeping credentials out of messages: a server may echo the key it was sent (a 500 page
 * dumping the request, a 400 quoting a header), and whatever we quote from its answer
 * reaches a terminal, a CI log or an HTTP client. Every text quoted from outside goes
 * through a redactor built from the credentials of the request that produced it.
 *
 * Plain functions, regexes built inside them: the HTTP clients using this run inside the
 * Pulumi dynamic provider, serialized by closure (see src/services/http.ts).
 */

export const REDACTED = "[redacted]";

/** Secrets shorter than this are not searched for: "1" would blank every digit of a message. */
const MIN_SECRET_LENGTH = 4;

/** The forms a secret takes when a server quotes it: as sent, JSON-escaped, URL-encoded. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * A function removing every given secret from a text (longest first, so that a secret
 * containing another is removed whole), and any `Bearer <token>` whatever the token.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap(formsOf))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const f of forms) out = out.split(f).join(REDACTED);
    // A bearer token of another request (or a proxy's) is a credential too, even one we never sent.
    return out.replace(/\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/gi, `Bearer ${REDACTED}`);
  };
}

/** The credentials a request carries in its headers: Authorization (and its token), and any *key*, *token*, *secret*, *password* or cookie header. */
export function credentialsOf(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!value) continue;
    if (/^(proxy-)?authorization$/i.test(name)) {
      out.push(value);
      const token = /^\S+\s+(.+)$/.exec(value);
      if (token) out.push(token[1]!);
    } else if (/key|token|secret|password|cookie/i.test(name)) {
      out.push(value);
    }
  }
  return out;
}

/**
 * The secrets of this tool's environment (DOMAINES_*_KEY, *_TOKEN, *_SECRET, *_PASSWORD):
 * the CLI's last line of defence removes them from any error message it prints.
 */
export function secretsOfEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && /^DOMAINES_/.test(name) && /(KEY|TOKEN|SECRET|PASSWORD)/.test(name))
    .map(([, value]) => value!);
}
