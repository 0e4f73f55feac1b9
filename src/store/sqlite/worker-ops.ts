/** The WorkerStore on SQLite: the worker registry and push targets' signing secrets. */
import type { Database } from "bun:sqlite";
import type { TargetSecret, WorkerKind, WorkerRecord, WorkerSeenParams, WorkerStore } from "../../core/worker-store.ts";
import type { ChangeLog } from "./change-log.ts";
import type { GroupCommit } from "./database.ts";

type WorkerRow = {
  id: string;
  kind: string;
  name: string | null;
  host: string | null;
  queues: string;
  concurrency: number | null;
  processed: number;
  failed: number;
  first_seen_at: number;
  last_seen_at: number;
  shutdown_requested_at: number | null;
};

type SecretRow = { queue: string; secret: string; previous_secret: string | null; rotated_at: number | null; created_at: number };

function toWorker(row: WorkerRow, active: number, unwritten: { processed: number; failed: number }): WorkerRecord {
  return {
    id: row.id,
    kind: row.kind as WorkerKind,
    name: row.name,
    host: row.host,
    queues: JSON.parse(row.queues),
    concurrency: row.concurrency,
    active,
    processed: row.processed + unwritten.processed,
    failed: row.failed + unwritten.failed,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    shutdownRequestedAt: row.shutdown_requested_at,
  };
}

function toSecret(row: SecretRow): TargetSecret {
  return { queue: row.queue, secret: row.secret, previousSecret: row.previous_secret, rotatedAt: row.rotated_at, createdAt: row.created_at };
}

export class WorkerOps implements WorkerStore {
  constructor(
    private readonly db: Database,
    private readonly writer: GroupCommit,
    /** Holds the figures of attempts that ended since they were last written to the rows. */
    private readonly changes: ChangeLog,
  ) {}

  async workerSeen(p: WorkerSeenParams) {
    const row = await this.writer.write(
      () =>
        this.db
          .query(
            `INSERT INTO workers (id, kind, name, host, queues, concurrency, first_seen_at, last_seen_at)
             VALUES (?1, COALESCE(?2, 'http'), ?3, ?4, COALESCE(?5, '[]'), ?6, ?7, ?7)
             ON CONFLICT (id) DO UPDATE SET
               kind = COALESCE(?2, kind), name = COALESCE(?3, name), host = COALESCE(?4, host),
               queues = COALESCE(?5, queues), concurrency = COALESCE(?6, concurrency),
               shutdown_requested_at = CASE WHEN last_seen_at < ?7 - ?8 THEN NULL ELSE shutdown_requested_at END,
               last_seen_at = MAX(last_seen_at, ?7)
             RETURNING shutdown_requested_at`,
          )
          .get(
            p.id, p.kind ?? null, p.name ?? null, p.host ?? null, p.queues ? JSON.stringify(p.queues) : null,
            p.concurrency ?? null, p.now, p.forgetShutdownAfterMs,
          ) as { shutdown_requested_at: number | null },
    );
    return { shutdownRequested: row.shutdown_requested_at !== null };
  }

  async workersList(_p: { now: number }) {
    const rows = this.db.query("SELECT * FROM workers ORDER BY id").all() as WorkerRow[];
    const active = new Map(
      (this.db.query("SELECT worker_id, COUNT(*) AS n FROM jobs WHERE state = 'active' GROUP BY worker_id").all() as { worker_id: string; n: number }[])
        .map((r) => [r.worker_id, r.n]),
    );
    return rows.map((row) => toWorker(row, active.get(row.id) ?? 0, this.changes.unwrittenFigures(row.id)));
  }

  async workerGet(p: { id: string; now: number }) {
    const row = this.db.query("SELECT * FROM workers WHERE id = ?").get(p.id) as WorkerRow | null;
    return row ? toWorker(row, this.activeOf(p.id), this.changes.unwrittenFigures(row.id)) : null;
  }

  async workerRequestShutdown(p: { id: string; now: number }) {
    const row = await this.writer.write(
      () =>
        this.db
          .query("UPDATE workers SET shutdown_requested_at = COALESCE(shutdown_requested_at, ?) WHERE id = ? RETURNING *")
          .get(p.now, p.id) as WorkerRow | null,
    );
    return row ? toWorker(row, this.activeOf(p.id), this.changes.unwrittenFigures(row.id)) : null;
  }

  async workersPrune(p: { seenBefore: number; now: number }) {
    return this.writer.write(() => {
      this.changes.writeAllFigures();
      return this.db.query("DELETE FROM workers WHERE last_seen_at < ?").run(p.seenBefore).changes;
    });
  }

  async targetSecretEnsure(p: { queue: string; secret: string; now: number }) {
    const existing = this.db.query("SELECT * FROM target_secrets WHERE queue = ?").get(p.queue) as SecretRow | null;
    if (existing) return toSecret(existing);
    return this.writer.write(() => {
      this.db.query("INSERT OR IGNORE INTO target_secrets (queue, secret, created_at) VALUES (?, ?, ?)").run(p.queue, p.secret, p.now);
      return toSecret(this.db.query("SELECT * FROM target_secrets WHERE queue = ?").get(p.queue) as SecretRow);
    });
  }

  async targetSecretRotate(p: { queue: string; secret: string; now: number }) {
    return this.writer.write(() => {
      const row = this.db
        .query(
          `INSERT INTO target_secrets (queue, secret, created_at) VALUES (?1, ?2, ?3)
           ON CONFLICT (queue) DO UPDATE SET previous_secret = secret, secret = ?2, rotated_at = ?3
           RETURNING *`,
        )
        .get(p.queue, p.secret, p.now) as SecretRow;
      return toSecret(row);
    });
  }

  private activeOf(id: string): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM jobs WHERE state = 'active' AND worker_id = ?").get(id) as { n: number }).n;
  }
}
