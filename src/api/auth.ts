/** Bearer tokens and roles: who may call which route. Only token hashes are ever stored. */
import type { Context, MiddlewareHandler } from "hono";
import { forbidden, notFound, StorageUnavailable, unauthorized } from "../core/errors.ts";
import { redactTarget, type PushTarget } from "../core/queue-config.ts";
import type { Store, TokenRecord, TokenRole } from "../core/store.ts";
import type { ApiDeps, ApiEnv, Principal } from "./env.ts";
import { RecentRefusals } from "./refusals.ts";
import { adminTokenMark, csrfTokenOf, fromThisSite, markedFor, openSession, sentCsrfToken, sessionHash, sessionIdOf } from "./sessions.ts";

/** What a route needs; each role is granted a set of these. */
export type Permission = "read" | "enqueue" | "work" | "admin";

export const ROLE_PERMISSIONS: Record<TokenRole, readonly Permission[]> = {
  admin: ["read", "enqueue", "work", "admin"],
  producer: ["read", "enqueue"],
  worker: ["read", "enqueue", "work"],
  viewer: ["read"],
};

export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

export function newToken(): string {
  return "spool_" + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
}

/** Creates a token with a role; the plain token is returned once and never stored. */
export async function createToken(store: Store, role: TokenRole, name: string | null, now: number) {
  const token = newToken();
  const record = await store.tokenCreate({ hash: hashToken(token), role, name, now });
  return { token, ...record };
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/**
 * How long a token lookup is trusted on a store that cannot say when tokens changed elsewhere
 * (Redis: a token revoked through another server is refused here within this bound). Revoking
 * through this server, and on SQLite revoking from any process, takes effect at once.
 */
export const TOKEN_CACHE_MS = 1000;

/** A token's last use is written at most this often, so authenticating reads but does not write per request. */
export const LAST_USE_INTERVAL_MS = 60_000;

/** Records a token's use unless it was written less than LAST_USE_INTERVAL_MS ago (remembered in memory, per token). */
function lastUseRecorder(store: Store): (id: string, now: number) => Promise<void> {
  const writtenAt = new Map<string, number>();
  return async (id, now) => {
    const last = writtenAt.get(id);
    if (last !== undefined && now - last < LAST_USE_INTERVAL_MS) return;
    writtenAt.set(id, now);
    try {
      await store.tokenTouch({ id, now });
    } catch {
      // Last use is informational: failing to record it must not fail the request it came with.
    }
  };
}

/** Who is calling: from a bearer token, a dashboard session, or open mode (no tokens at all). */
export class Authenticator {
  private tokensExist = false;
  private checkedAt = -Infinity;
  private readonly recordUse: (id: string, now: number) => Promise<void>;
  /** Known tokens by hash, so a busy worker's requests do not each look their token up. */
  private readonly tokens = new Map<string, { principal: Principal; at: number }>();
  private tokensVersion: number | undefined;
  /** Counts revocations through this server: a lookup that overlapped one is not cached. */
  private revocations = 0;
  /** API requests refused for want of a valid token lately (shown on the overview). */
  readonly refusals = new RecentRefusals();
  /** Keys open mode's CSRF token; new at every start. */
  readonly openSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  private readonly openPrincipal: Principal = { role: "admin", tokenId: null, via: "open", csrf: csrfTokenOf(this.openSecret) };

  constructor(
    private readonly deps: Pick<ApiDeps, "store" | "clock" | "adminToken">,
    /**
     * Open mode on a loopback address answers only requests addressed to a loopback name: a
     * web page whose own name its DNS points at 127.0.0.1 (DNS rebinding) would otherwise pass
     * the site check (its Origin matches the Host it sent) and be admin. False when the server
     * was told to listen beyond loopback without a token (--insecure).
     */
    private readonly openOnLoopbackOnly = true,
  ) {
    this.recordUse = lastUseRecorder(deps.store);
  }

  /**
   * Whether callers must identify themselves. With no token configured at all (none created,
   * no SPOOL_ADMIN_TOKEN) spool is in open mode — it then listens on loopback only — and
   * every caller is admin. Tokens created by `spool token create` while the server runs are
   * noticed within a second. While storage is unavailable (nobody can create a token then),
   * the last answer holds, so /v1/health can still say the store is down; before any answer,
   * the request is refused with 503.
   */
  async required(): Promise<boolean> {
    if (this.deps.adminToken) return true;
    if (!this.tokensExist && performance.now() - this.checkedAt > 1000) {
      try {
        this.tokensExist = (await this.deps.store.tokensCount()) > 0;
        this.checkedAt = performance.now();
      } catch (err) {
        if (!(err instanceof StorageUnavailable) || this.checkedAt === -Infinity) throw err;
      }
    }
    return this.tokensExist;
  }

  /** The principal a token stands for; null when unknown or revoked. */
  async fromToken(token: string): Promise<Principal | null> {
    if (this.deps.adminToken && constantTimeEqual(token, this.deps.adminToken)) return { role: "admin", tokenId: null, via: "token" };
    const hash = hashToken(token);
    const now = this.deps.clock.now();
    const cached = this.cachedToken(hash);
    if (cached) {
      await this.recordUse(cached.tokenId!, now);
      return cached;
    }
    const revocations = this.revocations;
    const at = performance.now();
    const record = await this.deps.store.tokenFind({ hash });
    if (!record) return null;
    const principal: Principal = { role: record.role, tokenId: record.id, via: "token" };
    if (revocations === this.revocations) this.tokens.set(hash, { principal, at });
    await this.recordUse(record.id, now);
    return principal;
  }

  /** A token's principal from the cache while nothing can have revoked it; null to look it up. */
  private cachedToken(hash: string): Principal | null {
    if (this.deps.store.tokensVersion) {
      const version = this.deps.store.tokensVersion();
      if (version !== this.tokensVersion) {
        this.tokens.clear();
        this.tokensVersion = version;
        return null;
      }
    }
    const entry = this.tokens.get(hash);
    if (!entry) return null;
    if (!this.deps.store.tokensVersion && performance.now() - entry.at >= TOKEN_CACHE_MS) {
      this.tokens.delete(hash);
      return null;
    }
    return entry.principal;
  }

  /** The principal of a live session; null when unknown, signed out, expired or its token revoked. */
  async fromSession(sessionId: string): Promise<Principal | null> {
    const hash = sessionHash(sessionId);
    const session = await this.deps.store.sessionFind({ hash, now: this.deps.clock.now() });
    if (!session) return null;
    if (session.tokenId === null && !markedFor(sessionId, this.deps.adminToken)) {
      // Opened with a SPOOL_ADMIN_TOKEN this server no longer has: it ended with that token.
      await this.deps.store.sessionDelete({ hash });
      return null;
    }
    return { role: session.role, tokenId: session.tokenId, via: "session", csrf: csrfTokenOf(sessionId) };
  }

  /** Opens a dashboard session for a principal (expired ones go with the session-pruning duty); null when its token was revoked meanwhile. */
  async openSession(principal: Pick<Principal, "tokenId" | "role">) {
    const now = this.deps.clock.now();
    const mark = principal.tokenId === null && this.deps.adminToken ? adminTokenMark(this.deps.adminToken) : undefined;
    const session = await openSession({ store: this.deps.store, tokenId: principal.tokenId, role: principal.role, now, mark });
    return session && { id: session.id, maxAgeMs: session.expiresAt - now };
  }

  /** Signs a session out at once. */
  async endSession(sessionId: string): Promise<void> {
    await this.deps.store.sessionDelete({ hash: sessionHash(sessionId) });
  }

  /** Every token's record (never the token or its hash), oldest first. */
  listTokens(): Promise<TokenRecord[]> {
    return this.deps.store.tokensList();
  }

  /** A new token; the plain token is in the answer once and never stored. */
  async createToken(role: TokenRole, name: string | null) {
    const created = await createToken(this.deps.store, role, name, this.deps.clock.now());
    this.tokensExist = true;
    return created;
  }

  /** Revokes a token and ends its sessions at once; 404 when unknown. */
  async revokeToken(id: string): Promise<void> {
    // Sign-in stays required even when the last token goes: a server never opens up while running.
    this.forgetToken(id);
    try {
      if (!(await this.deps.store.tokenRevoke({ id, now: this.deps.clock.now() }))) throw notFound(`token ${id}`);
    } finally {
      this.forgetToken(id);
    }
  }

  /** Drops a token from the lookup cache, and keeps lookups in flight from putting it back. */
  private forgetToken(id: string): void {
    this.revocations++;
    for (const [hash, entry] of this.tokens) if (entry.principal.tokenId === id) this.tokens.delete(hash);
  }

  /** Open mode's principal: admin, with a CSRF token for the dashboard's forms. */
  open(): Principal {
    return this.openPrincipal;
  }

  /** A browser's principal: open mode's, or its session cookie's; null when it must sign in. */
  async fromBrowser(c: Context): Promise<Principal | null> {
    if (!(await this.required())) {
      if (this.openOnLoopbackOnly && !addressedToLoopback(c.req.header("host"))) {
        throw forbidden("without API tokens spool answers only requests addressed to a loopback name (127.0.0.1, localhost, [::1]); create a token to be reached by another name");
      }
      return this.open();
    }
    const sessionId = sessionIdOf(c);
    return sessionId ? this.fromSession(sessionId) : null;
  }
}

/**
 * Whether a request may be taken as addressed to this machine's loopback: its Host names it, or
 * names no host at all (HTTP/1.0 without one, a Host that is not a host name): only a browser
 * can be tricked into sending another site's name here, and a browser always sends a valid one.
 */
function addressedToLoopback(host: string | undefined): boolean {
  const name = host ? URL.parse(`http://${host}`)?.hostname : undefined;
  if (!name) return true;
  return name === "localhost" || name === "[::1]" || /^127(\.\d{1,3}){3}$/.test(name);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const RESERVED_PREFIX = "spool:";

/**
 * A state-changing request that a browser could have sent on its own (cookie or open mode)
 * must come from this site and, with a session, carry the session's CSRF token. Dashboard
 * forms carry it in open mode too (`csrfAlways`); API callers in open mode (curl, workers)
 * have no page to read it from, and the site check guards them.
 */
export async function checkBrowserRequest(c: Context, principal: Principal, csrfAlways = false): Promise<void> {
  if (SAFE_METHODS.has(c.req.method) || principal.via === "token") return;
  if (!fromThisSite(c)) throw forbidden("cross-site request refused");
  if ((principal.via === "session" || csrfAlways) && (await sentCsrfToken(c)) !== principal.csrf) {
    throw forbidden("missing or wrong CSRF token: reload the page and try again");
  }
}

/** The token of an `Authorization: Bearer …` header; null without one. */
export function bearerOf(authorization: string | null | undefined): string | null {
  return authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}

/** True for a queue named `spool:…`: spool's own, changed by admins only. */
export function isReservedQueue(queue: string): boolean {
  return queue.startsWith(RESERVED_PREFIX);
}

/** API middleware: resolves the caller from `Authorization: Bearer …` or the dashboard's session cookie. */
export function authenticate(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const auth = deps.auth;
  return async (c, next) => {
    const bearer = bearerOf(c.req.header("authorization"));
    const byToken = bearer !== null && (await auth.required());
    const principal = byToken ? await auth.fromToken(bearer) : await auth.fromBrowser(c);
    if (!principal) {
      // Counted for the overview: callers refused for want of a valid token.
      auth.refusals.note(deps.clock.now());
      throw byToken ? unauthorized("unknown or revoked token") : unauthorized();
    }
    await checkBrowserRequest(c, principal);
    c.set("principal", principal);
    return next();
  };
}

/** Queues named `spool:…` are spool's own: only admins may enqueue into, claim from or change them. */
export function reservedQueues(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const queue = c.req.param("queue");
    if (queue !== undefined && isReservedQueue(queue) && !SAFE_METHODS.has(c.req.method) && !may(c.get("principal"), "admin")) {
      throw forbidden(`queues named ${RESERVED_PREFIX}… are spool's own; only admins may change them`);
    }
    return next();
  };
}

/** A queue as the caller may see it: its push target's secrets only for those who may change it. */
export function queueAsSeenBy<Q extends { target: PushTarget | null }>(principal: Principal | undefined, queue: Q): Q {
  return may(principal, "admin") ? queue : { ...queue, target: redactTarget(queue.target) };
}

/** Whether the caller's role carries the permission. */
export function may(principal: Principal | undefined, permission: Permission): boolean {
  return principal !== undefined && ROLE_PERMISSIONS[principal.role].includes(permission);
}

/** Route middleware: refuses callers whose role lacks the permission. */
export function allow(permission: Permission): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal) throw unauthorized();
    if (!may(principal, permission)) {
      throw forbidden(`role ${principal.role} may not ${permission === "admin" ? "administer spool" : permission}`);
    }
    return next();
  };
}
