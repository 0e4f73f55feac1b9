/**
 * Dashboard sessions and CSRF. Signing in exchanges a token for a random session id kept in an
 * HttpOnly, SameSite=Strict cookie; the store keeps only the id's hash, so a stolen database
 * opens no session. Every state-changing request that a cookie authenticates must carry the
 * session's CSRF token and come from this site.
 */
import type { Context } from "hono";
import type { Store, TokenRole } from "../core/store.ts";

export const SESSION_COOKIE = "spool_session";
export const SESSION_TTL_MS = 12 * 3_600_000;

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

export const sessionHash = (id: string) => sha256(`spool-session:${id}`);

/** The session id from the request's cookie, if any. */
export function sessionIdOf(c: Context): string | null {
  const id = c.req.header("cookie")?.match(new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{20,100})(?:;|$)`))?.[1];
  return id ?? null;
}

/**
 * The CSRF token of a session (or of open mode, keyed by a secret of this process). It is
 * derived, not stored: only the holder of the session cookie can compute it from the page.
 */
export function csrfTokenOf(sessionIdOrSecret: string): string {
  return sha256(`spool-csrf:${sessionIdOrSecret}`).slice(0, 40);
}

/** Length of a session id's random part (32 bytes in base64url). */
const SESSION_ID_RANDOM = 43;

/**
 * The mark a session opened with the SPOOL_ADMIN_TOKEN bootstrap token carries at the end of its
 * id: that token has no row whose revocation could end the session, so the session holds only
 * while the server runs with the same token (changing or removing the variable ends it). Part
 * of the id, it is covered by the id's hash the store looks the session up by.
 */
export function adminTokenMark(adminToken: string): string {
  return sha256(`spool-admin-session:${adminToken}`).slice(0, 16);
}

/** Whether a bootstrap session's id carries the mark of the server's admin token now (none set: no). */
export function markedFor(sessionId: string, adminToken: string | null): boolean {
  return adminToken !== null && sessionId.length === SESSION_ID_RANDOM + 16 && sessionId.slice(SESSION_ID_RANDOM) === adminTokenMark(adminToken);
}

/** Opens a session; `mark` (adminTokenMark) ends its id when it is opened with the bootstrap token. */
export async function openSession(p: { store: Store; tokenId: string | null; role: TokenRole; now: number; ttlMs?: number; mark?: string }) {
  const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url") + (p.mark ?? "");
  const expiresAt = p.now + (p.ttlMs ?? SESSION_TTL_MS);
  const created = await p.store.sessionCreate({ hash: sessionHash(id), tokenId: p.tokenId, role: p.role, expiresAt, now: p.now });
  return created ? { id, expiresAt } : null;
}

export function sessionCookie(c: Context, id: string, maxAgeMs: number): string {
  const secure = new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`;
}

export const clearedSessionCookie = () => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * Second line of defence behind the CSRF token: a browser says where a request comes from.
 * Requests without these headers (curl, scripts) pass; the token still guards them.
 */
export function fromThisSite(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return origin !== "null";
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The CSRF token a request sent: the X-CSRF-Token header (htmx) or the `_csrf` form field. */
export async function sentCsrfToken(c: Context): Promise<string | null> {
  const header = c.req.header("x-csrf-token");
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const form = await c.req.parseBody();
    return typeof form._csrf === "string" ? form._csrf : null;
  }
  return null;
}
