/**
 * RedisTokens: API tokens and dashboard sessions (TokenStore, SessionStore) on Redis. A change
 * that touches more than one key, or reads before it writes, is one script of lua/; lookups are
 * plain reads. Keys (keys.ts): tokens, tokens:hash, sessions, sessions:exp, token:<id>:sessions.
 */
import { randomUUID } from "node:crypto";
import type { Session, SessionStore } from "../../core/session-store.ts";
import type { TokenRecord, TokenRole, TokenStore } from "../../core/store.ts";
import type { RedisContext } from "./context.ts";
import recordJson from "./lua/record-json.lua" with { type: "text" };
import sessionCreate from "./lua/session-create.lua" with { type: "text" };
import sessionDelete from "./lua/session-delete.lua" with { type: "text" };
import sessionsPrune from "./lua/sessions-prune.lua" with { type: "text" };
import tokenCreate from "./lua/token-create.lua" with { type: "text" };
import tokenRevoke from "./lua/token-revoke.lua" with { type: "text" };
import tokenTouch from "./lua/token-touch.lua" with { type: "text" };

/** Expired sessions deleted per script run, so a long backlog never holds Redis for long. */
const PRUNE_BATCH = 500;

/**
 * Oldest first. Token ids are UUIDs like SQLite's, but version 7 (time-ordered, counting up within a
 * millisecond), so tokens made in the same millisecond keep the order they were made in, as
 * SQLite's rowid keeps it.
 */
function byCreation(a: TokenRecord, b: TokenRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class RedisTokens implements TokenStore, SessionStore {
  private readonly tokens: string;
  private readonly byHash: string;
  private readonly sessions: string;

  constructor(private readonly ctx: RedisContext) {
    ctx.scripts.add({
      tokenCreate, tokenRevoke, tokenTouch: `${recordJson}\n${tokenTouch}`, sessionCreate, sessionDelete, sessionsPrune,
    });
    this.tokens = ctx.keys.k("tokens");
    this.byHash = ctx.keys.k("tokens", "hash");
    this.sessions = ctx.keys.k("sessions");
  }

  async tokenCreate(p: { hash: string; role: TokenRole; name: string | null; now: number }): Promise<TokenRecord> {
    // A lone surrogate would be written as an escape Redis's cjson cannot read back (token-touch.lua).
    const record: TokenRecord = { id: Bun.randomUUIDv7("hex", p.now), name: p.name?.toWellFormed() ?? null, role: p.role, createdAt: p.now, lastUsedAt: null };
    await this.ctx.scripts.run("tokenCreate", [record.id, p.hash, JSON.stringify(record)]);
    return record;
  }

  async tokenFind(p: { hash: string }): Promise<TokenRecord | null> {
    const id = await this.ctx.redis.hget(this.byHash, p.hash);
    if (id === null) return null;
    const raw = await this.ctx.redis.hget(this.tokens, id);
    return raw === null ? null : (JSON.parse(raw) as TokenRecord);
  }

  async tokensCount(): Promise<number> {
    return this.ctx.redis.hlen(this.tokens);
  }

  async tokensList(): Promise<TokenRecord[]> {
    const records = (await this.ctx.redis.hvals(this.tokens)).map((raw) => JSON.parse(raw) as TokenRecord);
    return records.sort(byCreation);
  }

  async tokenRevoke(p: { id: string; now: number }): Promise<boolean> {
    return (await this.ctx.scripts.run<number>("tokenRevoke", [p.id, randomUUID()])) === 1;
  }

  async tokenTouch(p: { id: string; now: number }): Promise<void> {
    await this.ctx.scripts.run("tokenTouch", [p.id, p.now]);
  }

  async sessionCreate(p: { hash: string; tokenId: string | null; role: TokenRole; expiresAt: number; now: number }): Promise<boolean> {
    const session: Session = { tokenId: p.tokenId, role: p.role, expiresAt: p.expiresAt };
    const args = [p.hash, p.tokenId ?? "", p.expiresAt, JSON.stringify(session)];
    return (await this.ctx.scripts.run<number>("sessionCreate", args)) === 1;
  }

  async sessionFind(p: { hash: string; now: number }): Promise<Session | null> {
    const raw = await this.ctx.redis.hget(this.sessions, p.hash);
    if (raw === null) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > p.now ? session : null;
  }

  async sessionDelete(p: { hash: string }): Promise<boolean> {
    return (await this.ctx.scripts.run<number>("sessionDelete", [p.hash])) === 1;
  }

  async sessionsPrune(p: { now: number }): Promise<number> {
    let pruned = 0;
    for (;;) {
      const n = await this.ctx.scripts.run<number>("sessionsPrune", [p.now, PRUNE_BATCH]);
      pruned += n;
      if (n < PRUNE_BATCH) return pruned;
    }
  }
}
