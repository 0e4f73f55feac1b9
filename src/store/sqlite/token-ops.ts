/** The TokenStore and SessionStore on SQLite: API tokens by hash, their last use, and the dashboard's sessions. */
import type { Database } from "bun:sqlite";
import type { Session, SessionStore } from "../../core/session-store.ts";
import type { TokenRecord, TokenRole, TokenStore } from "../../core/store.ts";
import type { GroupCommit } from "./database.ts";

type TokenRow = { id: string; role: string; name: string | null; created_at: number; last_used_at: number | null };

const TOKEN_COLUMNS = "id, role, name, created_at, last_used_at";

function toToken(row: TokenRow): TokenRecord {
  return { id: row.id, role: row.role as TokenRole, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

export class TokenOps implements TokenStore, SessionStore {
  constructor(
    private readonly db: Database,
    private readonly writer: GroupCommit,
  ) {}

  async tokenCreate(p: { hash: string; role: TokenRole; name: string | null; now: number }): Promise<TokenRecord> {
    const id = crypto.randomUUID();
    await this.writer.write(() =>
      this.db.query("INSERT INTO tokens (id, hash, role, name, created_at) VALUES (?, ?, ?, ?, ?)").run(id, p.hash, p.role, p.name, p.now),
    );
    return { id, role: p.role, name: p.name, createdAt: p.now, lastUsedAt: null };
  }

  async tokenFind(p: { hash: string }): Promise<TokenRecord | null> {
    const row = this.db.query(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ?`).get(p.hash) as TokenRow | null;
    return row ? toToken(row) : null;
  }

  async tokensCount(): Promise<number> {
    return (this.db.query("SELECT COUNT(*) AS n FROM tokens").get() as { n: number }).n;
  }

  async tokensList(): Promise<TokenRecord[]> {
    const rows = this.db.query(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, rowid`).all() as TokenRow[];
    return rows.map(toToken);
  }

  async tokenRevoke(p: { id: string; now: number }): Promise<boolean> {
    // sessions.token_id cascades: the token's sessions go in this same statement.
    return this.writer.write(() => this.db.query("DELETE FROM tokens WHERE id = ?").run(p.id).changes > 0);
  }

  /** SQLite's data_version: it moves when another connection (`spool token revoke`, say) commits. */
  tokensVersion(): number {
    return (this.db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
  }

  async tokenTouch(p: { id: string; now: number }): Promise<void> {
    await this.writer.write(() =>
      this.db
        .query("UPDATE tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)")
        .run(p.now, p.id),
    );
  }

  async sessionCreate(p: { hash: string; tokenId: string | null; role: TokenRole; expiresAt: number; now: number }): Promise<boolean> {
    return this.writer.write(
      () =>
        this.db
          .query(
            `INSERT INTO sessions (hash, token_id, role, expires_at, created_at)
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM tokens WHERE id = ?2)`,
          )
          .run(p.hash, p.tokenId, p.role, p.expiresAt, p.now).changes > 0,
    );
  }

  async sessionFind(p: { hash: string; now: number }): Promise<Session | null> {
    const row = this.db
      .query("SELECT token_id, role, expires_at FROM sessions WHERE hash = ? AND expires_at > ?")
      .get(p.hash, p.now) as { token_id: string | null; role: string; expires_at: number } | null;
    return row ? { tokenId: row.token_id, role: row.role as TokenRole, expiresAt: row.expires_at } : null;
  }

  async sessionDelete(p: { hash: string }): Promise<boolean> {
    return this.writer.write(() => this.db.query("DELETE FROM sessions WHERE hash = ?").run(p.hash).changes > 0);
  }

  async sessionsPrune(p: { now: number }): Promise<number> {
    return this.writer.write(() => this.db.query("DELETE FROM sessions WHERE expires_at <= ?").run(p.now).changes);
  }
}
