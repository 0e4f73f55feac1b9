/** Bearer tokens and roles: who may call which route. Only token hashes are ever stored. */
import type { MiddlewareHandler } from "hono";
import { forbidden, unauthorized } from "../core/errors.ts";
import type { Store, TokenRole } from "../core/store.ts";
import type { ApiDeps, ApiEnv, Principal } from "./env.ts";

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

const OPEN: Principal = { role: "admin", tokenId: null };

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

/**
 * Resolves the caller from `Authorization: Bearer …`. With no token configured at all
 * (none created, no SPOOL_ADMIN_TOKEN) spool is in open mode — the server then listens
 * on loopback only — and every caller is admin.
 */
export function authenticate(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const recordUse = lastUseRecorder(deps.store);
  let tokensExist = false;
  let checkedAt = -Infinity;
  const authRequired = async () => {
    if (deps.adminToken) return true;
    // Tokens created by `spool token create` while the server runs are noticed within a second.
    if (!tokensExist && performance.now() - checkedAt > 1000) {
      tokensExist = (await deps.store.tokensCount()) > 0;
      checkedAt = performance.now();
    }
    return tokensExist;
  };
  return async (c, next) => {
    const header = c.req.header("authorization");
    const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
    if (!(await authRequired())) {
      c.set("principal", OPEN);
      return next();
    }
    const token = bearer ?? sessionToken(c.req.header("cookie"));
    if (!token) throw unauthorized();
    if (deps.adminToken && constantTimeEqual(token, deps.adminToken)) {
      c.set("principal", { role: "admin", tokenId: "env" });
      return next();
    }
    const record = await deps.store.tokenFind({ hash: hashToken(token) });
    if (!record) throw unauthorized("unknown or revoked token");
    await recordUse(record.id, deps.clock.now());
    c.set("principal", { role: record.role, tokenId: record.id });
    return next();
  };
}

/** The dashboard's session cookie carries the token itself (HttpOnly, SameSite=Strict). */
function sessionToken(cookie: string | undefined): string | null {
  return cookie?.match(/(?:^|;\s*)spool_session=([^;]+)/)?.[1] ?? null;
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
