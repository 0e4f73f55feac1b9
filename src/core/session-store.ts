/**
 * SessionStore: the dashboard's sign-in sessions. A session id is a random secret kept in a
 * cookie; the store only ever sees its hash. A session belongs to the token it was opened
 * with, and revoking that token ends it at once (TokenStore.tokenRevoke). Expiry is decided
 * by the `now` each call carries, never by a clock of the store's own.
 */
import type { TokenRole } from "./store.ts";

/** What a live session grants. `tokenId` null: the SPOOL_ADMIN_TOKEN bootstrap admin, which has no token row. */
export type Session = { tokenId: string | null; role: TokenRole; expiresAt: number };

export interface SessionStore {
  /**
   * Opens a session under the hash of its id. False when `tokenId` names a token that no
   * longer exists (revoked while signing in): no session outlives its token.
   */
  sessionCreate(p: { hash: string; tokenId: string | null; role: TokenRole; expiresAt: number; now: number }): Promise<boolean>;
  /** The session with this hash, or null when unknown, ended or expired (expiresAt <= now). */
  sessionFind(p: { hash: string; now: number }): Promise<Session | null>;
  /** Ends a session (sign-out); false when there was none. */
  sessionDelete(p: { hash: string }): Promise<boolean>;
  /** Deletes expired sessions; returns how many went. */
  sessionsPrune(p: { now: number }): Promise<number>;
}
