import { randomBytes, timingSafeEqual } from "node:crypto";

/** What the server knows of a signed-in person: the token they gave (re-verified on every request) and the form token. */
interface Session {
  token: string;
  csrf: string;
  expiresAt: number;
}

/**
 * Sessions in memory, keyed by a random id that the HttpOnly, SameSite=Strict cookie
 * carries: the token itself never goes back to the browser, and it is verified again on
 * every request so that a revoked or expired token ends its sessions at once. A restart
 * signs everyone out (several instances would need a shared store, as the ledger does).
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(token: string): { id: string; csrf: string } {
    this.sweep();
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString("base64url");
    const csrf = randomBytes(32).toString("base64url");
    this.sessions.set(id, { token, csrf, expiresAt: this.now() + this.ttlMs });
    return { id, csrf };
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return s;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Constant-time comparison of two form tokens (a missing one never matches). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function newFormToken(): string {
  return randomBytes(32).toString("base64url");
}
