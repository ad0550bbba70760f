/** One HTTP request over a real socket (node's fetch), its answer read whole. */
export interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function call(base: string, method: string, path: string, options: { token?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", headers: res.headers, text, json };
}

/** Waits (bounded) until `done` holds; for effects the server applies after answering (webhooks). */
export async function eventually(done: () => boolean | Promise<boolean>, what: string, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}
