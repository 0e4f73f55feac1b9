/** Store contract: API tokens (list, last use, revoke) and the dashboard's sessions (expiry by `now`, sign-out, revoke cascade). */
import { expect } from "bun:test";
import type { ContractCase, Ctx } from "./harness.ts";

const MINUTE = 60_000;

async function token(t: Ctx, hash: string, role: "admin" | "viewer" = "viewer", name: string | null = null) {
  return t.store.tokenCreate({ hash, role, name, now: t.now() });
}

async function session(t: Ctx, hash: string, tokenId: string | null, ttlMs = 60 * MINUTE) {
  return t.store.sessionCreate({ hash, tokenId, role: tokenId === null ? "admin" : "viewer", expiresAt: t.now() + ttlMs, now: t.now() });
}

export function tokensSessionsContract(it: ContractCase): void {
  it("tokens are listed oldest first with name, role and times, never their hash", async (t) => {
    const first = await token(t, "hash-1", "admin", "ops");
    t.clock.advance(1000);
    const second = await token(t, "hash-2");
    expect(first).toEqual({ id: first.id, name: "ops", role: "admin", createdAt: t.now() - 1000, lastUsedAt: null });
    expect(await t.store.tokensList()).toEqual([first, second]);
    expect(JSON.stringify(await t.store.tokensList())).not.toContain("hash-");
    expect(await t.store.tokenFind({ hash: "hash-2" })).toEqual(second);
    expect(await t.store.tokensCount()).toBe(2);
  });

  it("touching a token records its last use, which never moves back", async (t) => {
    const created = await token(t, "hash-1");
    const other = await token(t, "hash-2");
    t.clock.advance(5 * MINUTE);
    await t.store.tokenTouch({ id: created.id, now: t.now() });
    expect((await t.store.tokenFind({ hash: "hash-1" }))!.lastUsedAt).toBe(t.now());
    await t.store.tokenTouch({ id: created.id, now: t.now() - MINUTE });
    expect((await t.store.tokenFind({ hash: "hash-1" }))!.lastUsedAt).toBe(t.now());
    expect((await t.store.tokenFind({ hash: "hash-2" }))!.lastUsedAt).toBeNull();
    await t.store.tokenTouch({ id: "no-such-token", now: t.now() });
    expect((await t.store.tokensList()).map((x) => x.id)).toEqual([created.id, other.id]);
  });

  it("revoking a token deletes it and all its sessions at once, and no other", async (t) => {
    const revoked = await token(t, "hash-1");
    const kept = await token(t, "hash-2");
    expect(await session(t, "s-1a", revoked.id)).toBe(true);
    expect(await session(t, "s-1b", revoked.id)).toBe(true);
    expect(await session(t, "s-2", kept.id)).toBe(true);
    expect(await session(t, "s-env", null)).toBe(true);
    expect(await t.store.tokenRevoke({ id: revoked.id, now: t.now() })).toBe(true);
    expect(await t.store.tokenFind({ hash: "hash-1" })).toBeNull();
    expect(await t.store.sessionFind({ hash: "s-1a", now: t.now() })).toBeNull();
    expect(await t.store.sessionFind({ hash: "s-1b", now: t.now() })).toBeNull();
    expect(await t.store.sessionFind({ hash: "s-2", now: t.now() })).toMatchObject({ tokenId: kept.id });
    expect(await t.store.sessionFind({ hash: "s-env", now: t.now() })).toMatchObject({ tokenId: null });
    expect(await t.store.tokensList()).toEqual([kept]);
    expect(await t.store.tokenRevoke({ id: revoked.id, now: t.now() })).toBe(false);
    expect(await t.store.tokenRevoke({ id: "no-such-token", now: t.now() })).toBe(false);
  });

  it("a session opens for a live token or the bootstrap admin, never for a revoked token", async (t) => {
    const viewer = await token(t, "hash-1");
    await t.store.tokenRevoke({ id: viewer.id, now: t.now() });
    expect(await session(t, "s-late", viewer.id)).toBe(false);
    expect(await t.store.sessionFind({ hash: "s-late", now: t.now() })).toBeNull();
    const live = await token(t, "hash-2");
    expect(await session(t, "s-live", live.id)).toBe(true);
    expect(await t.store.sessionFind({ hash: "s-live", now: t.now() })).toEqual({ tokenId: live.id, role: "viewer", expiresAt: t.now() + 60 * MINUTE });
    expect(await session(t, "s-env", null)).toBe(true);
    expect(await t.store.sessionFind({ hash: "s-env", now: t.now() })).toEqual({ tokenId: null, role: "admin", expiresAt: t.now() + 60 * MINUTE });
    expect(await t.store.sessionFind({ hash: "s-unknown", now: t.now() })).toBeNull();
  });

  it("a session is found until its expiry, by the now passed in", async (t) => {
    const opened = t.now();
    await session(t, "s", null, 10 * MINUTE);
    expect(await t.store.sessionFind({ hash: "s", now: opened + 10 * MINUTE - 1 })).toMatchObject({ expiresAt: opened + 10 * MINUTE });
    expect(await t.store.sessionFind({ hash: "s", now: opened + 10 * MINUTE })).toBeNull();
    // Expiry is read from `now`, not from a clock: an earlier now still finds it.
    expect(await t.store.sessionFind({ hash: "s", now: opened })).not.toBeNull();
  });

  it("sign-out deletes one session; pruning deletes the expired ones and counts them", async (t) => {
    const viewer = await token(t, "hash-1");
    await session(t, "short-1", viewer.id, MINUTE);
    await session(t, "short-2", null, 2 * MINUTE);
    await session(t, "long", viewer.id, 60 * MINUTE);
    await session(t, "gone", null, 60 * MINUTE);
    expect(await t.store.sessionDelete({ hash: "gone" })).toBe(true);
    expect(await t.store.sessionDelete({ hash: "gone" })).toBe(false);
    expect(await t.store.sessionFind({ hash: "gone", now: t.now() })).toBeNull();
    expect(await t.store.sessionsPrune({ now: t.now() + MINUTE - 1 })).toBe(0);
    expect(await t.store.sessionsPrune({ now: t.now() + 2 * MINUTE })).toBe(2);
    expect(await t.store.sessionsPrune({ now: t.now() + 2 * MINUTE })).toBe(0);
    expect(await t.store.sessionFind({ hash: "long", now: t.now() })).toMatchObject({ tokenId: viewer.id });
  });
}
