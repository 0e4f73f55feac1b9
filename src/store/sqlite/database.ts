/** Opening the SQLite database: pragmas, migrations, and the group-commit writer. */
import { Database, type Statement } from "bun:sqlite";
import { CannotStart, storageUnavailable, type StorageUnavailable } from "../../core/errors.ts";
import { MIGRATIONS, migrate } from "./migrations.ts";

export type Durability = "normal" | "full";

/** How long a write waits for another connection's lock before storage counts as unavailable. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** While another connection holds the write lock, the writer tries again this often. */
const BUSY_RETRY_MS = 20;

/** Opens (or creates) the database, or says in one line why it cannot: unreadable, unwritable, not a database, too new. */
export function openDatabase(path: string, durability: Durability = "normal", busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Database {
  let db: Database | null = null;
  try {
    db = new Database(path, { create: true, strict: true });
    configure(db, durability, busyTimeoutMs);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof CannotStart) throw err;
    const reason = (err as Error).message;
    const hint = /readonly|permission|unable to open/i.test(reason)
      ? "check the owner and permissions of the file and its folder"
      : /not a database|malformed|corrupt/i.test(reason)
        ? "it is not a spool database, or it is damaged; restore a backup or point --data at another folder"
        : "see the message above";
    throw new CannotStart(`cannot use the database ${path}: ${reason} (${hint})`);
  }
}

/*
 * Bound values written `+?`: SQLite plans a statement again at every execution when its plan
 * could depend on a bound value, and it decides that while planning: a `LIMIT ?`, and a
 * `column = ?` it compares against the WHERE of the table's partial indexes. Planned again,
 * a claim's read of its next job took 15-20 µs instead of 2-5. Written `+?`, the value is an
 * expression the planner does not look into: the same plan (same index, same affinity for the
 * comparison), made once. Only where no partial index needs the value to be usable: a bound
 * `state` stays `?`, or is paired with a literal condition that selects the index.
 */

/** SQLite's `synchronous` setting for a durability: every connection to the file uses the same. */
export function synchronousOf(durability: Durability = "normal"): "NORMAL" | "FULL" {
  return durability === "full" ? "FULL" : "NORMAL";
}

function configure(db: Database, durability: Durability, busyTimeoutMs: number): void {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${synchronousOf(durability)}`);
  // Checkpoints run on a timer (checkpoints.ts), not after every 1000 WAL pages: an
  // automatic checkpoint inside a busy write path costs an fsync on the request's time.
  db.exec("PRAGMA wal_autocheckpoint = 0");
  db.exec("PRAGMA foreign_keys = ON");
  // Group commit runs each write in a savepoint; their statement journals stay in memory
  // (on disk they cost about twice the write itself).
  db.exec("PRAGMA temp_store = MEMORY");
  const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  if (version > known) {
    throw new CannotStart(`the database ${db.filename} was written by a newer spool (schema ${version}, this one knows up to ${known}); run that version or a newer one`);
  }
  migrate(db);
  // A file that opens but cannot be written (read-only file, read-only mount) would fail at the
  // first write instead; this rewrites the header's schema version with the value it has.
  db.exec(`PRAGMA user_version = ${Math.max(version, known)}`);
  // From here on SQLite never sleeps on a lock inside a call, which would stop the whole
  // server (/healthz too): the group-commit writer waits for the lock between tries instead.
  db.exec("PRAGMA busy_timeout = 0");
}

/** SQLite result codes that mean "storage cannot take writes now", answered as 503. */
const UNAVAILABLE = /SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

function isLocked(err: unknown): boolean {
  return /SQLITE_BUSY|SQLITE_LOCKED/.test((err as { code?: string })?.code ?? "") || /database is locked/i.test(String((err as Error)?.message));
}

export function isStorageFailure(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return UNAVAILABLE.test(code) || /disk|database is locked|readonly/i.test(String((err as Error)?.message));
}

/** An SQLite error that means storage cannot take requests now, as StorageUnavailable; null for any other error. */
export function sqliteStorageFailure(err: unknown): StorageUnavailable | null {
  return isStorageFailure(err) ? storageUnavailable(`storage unavailable: ${(err as Error).message}`) : null;
}

type Pending = { run: () => unknown; resolve: (v: any) => void; reject: (e: unknown) => void };

/** Changes writes gather to be written with their transaction (see the GroupCommit constructor). */
export type Gathered = { keep(): void; discard(): void; write(): void; committed(): void; reset(): void };

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes that arrive while the event loop is busy share one transaction. A
 * failing write does not undo the others: the writes of a batch run one after another inside
 * one savepoint and, should one fail, the batch is undone to it and run again with a savepoint
 * around each write, so that the failed one alone is undone. (A savepoint per write is two
 * statements: at ten in flight, 3–10 % of SQLite's instructions for a claim and its completion;
 * and writes rarely fail.)
 * So a write may run twice: it changes nothing outside the database but what it gathers
 * (`Gathered`, dropped with it). Every caller is answered only after COMMIT has returned, so
 * nothing is acknowledged before it is in the database.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Why the last transaction failed for want of storage (disk full, locked, read-only); null once one commits. */
  failing: string | null = null;
  /** When the writer first found the lock held by another connection (performance.now()); null while it is free. */
  private busySince: number | null = null;
  private closing = false;
  // Prepared once: a busy server runs these thousands of times a second.
  private readonly sql: Record<"begin" | "commit" | "rollback" | "batch" | "releaseBatch" | "undoBatch" | "one" | "releaseOne" | "undoOne", Statement>;

  constructor(
    db: Database,
    private readonly busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS,
    /**
     * What writes gather besides their own statements (ChangeLog): kept when a write succeeds,
     * dropped with a write rolled back to its savepoint, written just before COMMIT (told when
     * it committed), and forgotten with a transaction rolled back.
     */
    private readonly gathered: Gathered = { keep() {}, discard() {}, write() {}, committed() {}, reset() {} },
  ) {
    this.sql = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
      batch: db.prepare("SAVEPOINT batch"),
      releaseBatch: db.prepare("RELEASE batch"),
      undoBatch: db.prepare("ROLLBACK TO batch"),
      one: db.prepare("SAVEPOINT one"),
      releaseOne: db.prepare("RELEASE one"),
      undoOne: db.prepare("ROLLBACK TO one"),
    };
  }

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is still queued, once, without waiting for a lock: the database is about to close. */
  finish(): void {
    this.closing = true;
    this.flush();
  }

  /**
   * Runs everything queued so far in one transaction. While another connection holds the
   * write lock, the batch waits (in order, with what arrives meanwhile) and is tried again
   * every BUSY_RETRY_MS, up to the busy timeout; then it is refused as storage unavailable.
   */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.sql.begin.run();
      this.busySince = null;
    } catch (err) {
      if (isLocked(err) && !this.closing) {
        this.busySince ??= performance.now();
        if (performance.now() - this.busySince < this.busyTimeoutMs) {
          this.pending = batch.concat(this.pending);
          this.scheduled = true;
          setTimeout(() => this.flush(), BUSY_RETRY_MS);
          return;
        }
      }
      this.busySince = null;
      this.failing = (err as Error).message;
      for (const op of batch) op.reject(storageUnavailable(`storage unavailable: ${(err as Error).message}`));
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = batch.length === 1 ? [this.attempt(batch[0]!)] : this.runTogether(batch);
      if (batch.length === 1 && !outcomes[0]!.ok) {
        this.sql.rollback.run();
        this.gathered.reset();
      } else {
        this.gathered.write();
        this.sql.commit.run();
        this.gathered.committed();
      }
      this.failing = null;
    } catch (err) {
      this.gathered.reset();
      this.failing = (err as Error).message;
      try {
        this.sql.rollback.run();
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

  /** Runs one write, keeping what it gathered if it succeeds; a storage failure is thrown (it fails the transaction). */
  private attempt(op: Pending): Outcome {
    try {
      const value = op.run();
      this.gathered.keep();
      return { ok: true, value };
    } catch (error) {
      this.gathered.discard();
      if (isStorageFailure(error)) throw error;
      return { ok: false, error };
    }
  }

  /** A batch's writes inside one savepoint; if one fails, all again, each inside a savepoint of its own. */
  private runTogether(batch: Pending[]): Outcome[] {
    this.sql.batch.run();
    const outcomes: Outcome[] = [];
    for (const op of batch) {
      const outcome = this.attempt(op);
      if (!outcome.ok) return this.runEachAlone(batch);
      outcomes.push(outcome);
    }
    this.sql.releaseBatch.run();
    return outcomes;
  }

  private runEachAlone(batch: Pending[]): Outcome[] {
    this.sql.undoBatch.run();
    this.gathered.reset();
    const outcomes = batch.map((op) => {
      this.sql.one.run();
      const outcome = this.attempt(op);
      if (!outcome.ok) this.sql.undoOne.run();
      this.sql.releaseOne.run();
      return outcome;
    });
    this.sql.releaseBatch.run();
    return outcomes;
  }
}
