/** Opening the SQLite database: pragmas, migrations, and the group-commit writer. */
import { Database } from "bun:sqlite";
import { storageUnavailable } from "../../core/errors.ts";
import { migrate } from "./migrations.ts";

export type Durability = "normal" | "full";

export function openDatabase(path: string, durability: Durability = "normal"): Database {
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

/** SQLite result codes that mean "storage cannot take writes now", answered as 503. */
const UNAVAILABLE = /SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return UNAVAILABLE.test(code) || /disk|database is locked|readonly/i.test(String((err as Error)?.message));
}

type Pending = { run: () => unknown; resolve: (v: any) => void; reject: (e: unknown) => void };

/**
 * Group commit: writes that arrive while the event loop is busy share one transaction.
 * Each write runs inside its own savepoint so one failing write does not undo the others;
 * every caller is answered only after COMMIT has returned, so nothing is acknowledged
 * before it is in the database.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: Database) {}

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued so far in one transaction. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.exec("BEGIN IMMEDIATE");
    } catch (err) {
      for (const op of batch) op.reject(storageUnavailable(`storage unavailable: ${(err as Error).message}`));
      return;
    }
    try {
      for (const op of batch) {
        if (batch.length > 1) this.db.exec("SAVEPOINT op");
        try {
          outcomes.push({ ok: true, value: op.run() });
          if (batch.length > 1) this.db.exec("RELEASE op");
        } catch (error) {
          if (batch.length > 1) {
            this.db.exec("ROLLBACK TO op");
            this.db.exec("RELEASE op");
          }
          if (isStorageFailure(error)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      if (batch.length === 1 && !outcomes[0]!.ok) this.db.exec("ROLLBACK");
      else this.db.exec("COMMIT");
    } catch (err) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // The transaction may already be gone (SQLite rolls back itself on some I/O errors).
      }
      for (const op of batch) op.reject(storageUnavailable(`storage unavailable: ${(err as Error).message}`));
      return;
    }
    batch.forEach((op, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) op.resolve(outcome.value);
      else op.reject(outcome.error);
    });
  }
}
