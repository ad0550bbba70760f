/**
 * `--ledger` / DOMAINES_LEDGER name a directory (the file store) or a PostgreSQL
 * connection URL. The URL may carry a password: every message shows it redacted.
 */
const URL_SCHEME = /^postgres(?:ql)?:\/\//i;

export function isPostgresUrl(location: string): boolean {
  return URL_SCHEME.test(location);
}

/**
 * The URL without its password, whether in the user-info part (`user:secret@host`, the
 * secret possibly holding `/` or `@`) or as a `password=` parameter: what every message,
 * report and `location` shows.
 */
export function redactPostgresUrl(url: string): string {
  const scheme = URL_SCHEME.exec(url)?.[0] ?? "";
  const body = url.slice(scheme.length);
  const queryAt = body.search(/[?#]/);
  let head = queryAt < 0 ? body : body.slice(0, queryAt);
  const tail = queryAt < 0 ? "" : body.slice(queryAt);
  const at = head.lastIndexOf("@");
  if (at >= 0) {
    const userInfo = head.slice(0, at);
    const colon = userInfo.indexOf(":");
    head = `${colon >= 0 ? userInfo.slice(0, colon) : userInfo}${head.slice(at)}`;
  }
  const query = tail.replace(/([?&])password=[^&#]*&?/gi, "$1").replace(/[?&](#|$)/, "$1");
  return scheme + head + query;
}
