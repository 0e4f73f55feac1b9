/** SqliteStore: the Store on bun:sqlite — WAL, migrations at open, group commit for writes. */
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { validationFailed } from "../../core/errors.ts";
import { PRIORITY, type JobState } from "../../core/job.ts";
import { emptyCounts, mergeSettings, type QueueSettings, type StateCounts } from "../../core/queue-config.ts";
import type {
  BackupStore, ClaimParams, CompleteItem, EnqueueOutcome, FailParams, FileStore, HeartbeatParams, JobListParams, JobPage,
  QueueSummary, Store, StoreFiles,
} from "../../core/store.ts";
import type { NewJob } from "../../core/job.ts";
import { ChangeLog } from "./change-log.ts";
import { Checkpoints } from "./checkpoints.ts";
import { GroupCommit, openDatabase, synchronousOf, type Durability } from "./database.ts";
import { BY_QUEUE_STATE, JobList, mergeById } from "./job-list.ts";
import { JobOps } from "./job-ops.ts";
import { SqliteMonitor } from "./monitor-ops.ts";
import { ScheduleOps } from "./schedule-ops.ts";
import { TokenOps } from "./token-ops.ts";
import { WorkerOps } from "./worker-ops.ts";
import { rowId, toJob, type JobRow } from "./rows.ts";

/** Bulk actions work through this many rows per transaction so they never stall claims for long. */
const BULK_BATCH = 1000;

export type SqliteStoreOptions = {
  path: string;
  durability?: Durability;
  busyTimeoutMs?: number;
  /** Workers' figures are written to their rows at most this often (default WORKER_FIGURES_EVERY_MS); reads add the rest. */
  workerFiguresEveryMs?: number;
};

export class SqliteStore implements Store, BackupStore, FileStore {
  readonly kind = "sqlite" as const;
  readonly remote = false;
  readonly db: Database;
  private readonly writer: GroupCommit;
  private readonly changes: ChangeLog;
  private readonly checkpoints: Checkpoints;
  private readonly ops: JobOps;
  private readonly list: JobList;
  private readonly scheduleOps: ScheduleOps;
  private readonly workerOps: WorkerOps;
  private readonly tokenOps: TokenOps;
  private readonly monitor: SqliteMonitor;

  constructor(options: SqliteStoreOptions) {
    this.db = openDatabase(options.path, options.durability, options.busyTimeoutMs);
    // Job changes gather their counts, events and worker figures here; the writer writes them as each write ends.
    this.changes = new ChangeLog(this.db, options.workerFiguresEveryMs);
    this.writer = new GroupCommit(this.db, options.busyTimeoutMs, this.changes);
    this.checkpoints = new Checkpoints(this.db, { synchronous: synchronousOf(options.durability) });
    this.ops = new JobOps(this.db, this.changes);
    this.list = new JobList(this.db);
    this.scheduleOps = new ScheduleOps(this.db, this.writer, this.ops);
    this.workerOps = new WorkerOps(this.db, this.writer, this.changes);
    this.tokenOps = new TokenOps(this.db, this.writer);
    this.monitor = new SqliteMonitor(this.db, this.writer, () => this.changes.eventId());
  }

  async jobsEnqueue(p: { jobs: NewJob[]; now: number }): Promise<EnqueueOutcome[]> {
    return this.writer.write(() => {
      for (const queue of new Set(p.jobs.map((j) => j.queue))) this.ops.ensureQueue(queue, p.now);
      return p.jobs.map((job) => this.ops.enqueue(job, p.now));
    });
  }

  async jobGet(p: { id: string }) {
    const id = rowId(p.id);
    const row = id === null ? null : this.ops.row(id);
    return row ? toJob(row) : null;
  }

  async jobsList(p: JobListParams): Promise<JobPage> {
    const cursor = p.cursor === undefined ? null : rowId(p.cursor);
    if (p.cursor !== undefined && cursor === null) throw validationFailed(`invalid cursor "${p.cursor}": pass nextCursor from a previous page`);
    const { rows, nextCursor } = this.list.page(p, cursor);
    return { jobs: rows.map(toJob), nextCursor: nextCursor === null ? null : String(nextCursor) };
  }

  async jobsClaim(p: ClaimParams) {
    const rows = await this.writer.write(() => this.ops.claim(p));
    return rows.map(toJob);
  }

  async jobComplete(p: CompleteItem & { now: number }) {
    const row = await this.writer.write(() => this.ops.completeOne(p, p.now));
    return row ? toJob(row) : null;
  }

  async jobsComplete(p: { items: CompleteItem[]; now: number }) {
    const rows = await this.writer.write(() => this.ops.completeMany(p.items, p.now));
    return rows.map((row) => (row ? { id: String(row.id), queue: row.queue, key: row.key, state: "completed" as const } : null));
  }

  async jobFail(p: FailParams) {
    const row = await this.writer.write(() => this.ops.fail(p, false));
    return row ? toJob(row) : null;
  }

  async leaseRecover(p: FailParams) {
    const row = await this.writer.write(() => this.ops.fail(p, true));
    return row ? toJob(row) : null;
  }

  async jobHeartbeat(p: HeartbeatParams) {
    const row = await this.writer.write(() => this.ops.heartbeat(p));
    return row ? toJob(row) : null;
  }

  async jobCancel(p: { id: string; force: boolean; now: number }) {
    const id = rowId(p.id);
    if (id === null) return null;
    const row = await this.writer.write(() => this.ops.cancel(id, p.force, p.now));
    return row ? toJob(row) : null;
  }

  async jobRetry(p: { id: string; resetCheckpoint: boolean; now: number }) {
    const id = rowId(p.id);
    if (id === null) return null;
    const row = await this.writer.write(() => this.ops.retry(id, p.resetCheckpoint, p.now));
    return row ? toJob(row) : null;
  }

  async jobDelete(p: { id: string; now: number }) {
    const id = rowId(p.id);
    if (id === null) return false;
    return this.writer.write(() => {
      const row = this.ops.row(id);
      if (!row || !["completed", "failed", "cancelled"].includes(row.state)) return false;
      this.ops.remove(row, p.now);
      return true;
    });
  }

  async jobsPromoteDue(p: { now: number; limit: number }) {
    // Read first: with nothing due (nearly always), no write transaction is opened at all.
    const due = this.ops.dueDelayed(p.now, p.limit);
    if (due.length === 0) return [];
    return this.writer.write(() => due.map(({ queue, ids }) => ({ queue, promoted: this.ops.promote(ids) })).filter((q) => q.promoted > 0));
  }

  async leasesExpired(p: { now: number; limit: number }) {
    const rows = this.db
      .query("SELECT * FROM jobs WHERE state = 'active' AND lease_expires_at <= +? ORDER BY lease_expires_at LIMIT +?")
      .all(p.now, p.limit) as JobRow[];
    return rows.map(toJob);
  }

  async laneSkip(p: { queue: string; key: string; now: number }) {
    return this.writer.write(() => {
      const lane = this.ops.lanes.get(p.queue, p.key);
      if (!lane || !lane.blocked) return false;
      this.ops.lanes.advance(p.queue, p.key, p.now);
      return true;
    });
  }

  async queueGet(p: { queue: string }): Promise<QueueSummary | null> {
    if (!this.ops.queueRow(p.queue)) return null;
    return { ...this.ops.queueConfig(p.queue), counts: this.counts(p.queue) };
  }

  async queuesList(): Promise<QueueSummary[]> {
    const names = this.db.query("SELECT name FROM queues ORDER BY name").all() as { name: string }[];
    const all = this.db.query("SELECT queue, state, n FROM queue_counts").all() as { queue: string; state: string; n: number }[];
    const counts = new Map<string, StateCounts>();
    for (const { queue, state, n } of all) {
      const c = counts.get(queue) ?? emptyCounts();
      c[state as keyof StateCounts] = n;
      counts.set(queue, c);
    }
    return names.map(({ name }) => ({ ...this.ops.queueConfig(name), counts: counts.get(name) ?? emptyCounts() }));
  }

  async queuePut(p: { queue: string; settings: Partial<QueueSettings>; now: number }) {
    return this.writer.write(() => {
      this.ops.ensureQueue(p.queue, p.now);
      const { name: _name, paused: _paused, ...current } = this.ops.queueConfig(p.queue);
      const config = mergeSettings(current, p.settings);
      this.db.query("UPDATE queues SET config = ?, updated_at = ? WHERE name = ?").run(JSON.stringify(config), p.now, p.queue);
      return this.ops.queueConfig(p.queue);
    });
  }

  async queuePause(p: { queue: string; paused: boolean; now: number }) {
    return this.writer.write(() => {
      this.ops.ensureQueue(p.queue, p.now);
      this.db.query("UPDATE queues SET paused = ?, updated_at = ? WHERE name = ?").run(p.paused ? 1 : 0, p.now, p.queue);
      return this.ops.queueConfig(p.queue);
    });
  }

  async queuePurge(p: { queue: string; state: JobState; limit?: number; now: number }) {
    return this.inBatches(p.limit, (limit) => {
      const rows = this.list.inState(p.queue, p.state, "oldest", null, limit);
      for (const row of rows) this.ops.remove(row, p.now);
      return rows.length;
    });
  }

  async queueRetryFailed(p: { queue: string; errorType?: string; limit?: number; now: number }) {
    const ofType = p.errorType === undefined ? "" : "AND json_extract(errors, '$[#-1].type') = ?";
    const args = p.errorType === undefined ? [] : [p.errorType];
    return this.inBatches(p.limit, (limit) => {
      const ids = this.db
        .query(`SELECT id FROM jobs WHERE queue = ? AND state = 'failed' AND ${BY_QUEUE_STATE} ${ofType} ORDER BY id LIMIT ?`)
        .all(p.queue, ...args, limit) as { id: number }[];
      for (const { id } of ids) this.ops.retry(id, false, p.now);
      return ids.length;
    });
  }

  async queueCancelWaiting(p: { queue: string; limit?: number; now: number }) {
    // Blocked jobs first, so cancelling a lane's head finds no one left to promote.
    return this.inBatches(p.limit, (limit) => {
      const blocked = this.list.inState(p.queue, "blocked", "oldest", null, limit);
      const rest = limit - blocked.length;
      const runnable = rest > 0 ? mergeById([this.list.inState(p.queue, "waiting", "oldest", null, rest), this.list.inState(p.queue, "delayed", "oldest", null, rest)], "oldest", rest) : [];
      for (const { id } of [...blocked, ...runnable]) this.ops.cancel(id, false, p.now);
      return blocked.length + runnable.length;
    });
  }

  async queueOldestWaiting(p: { queue: string }) {
    // One seek per priority down jobs_runnable (queue, priority DESC, id).
    const first = this.db.query("SELECT run_at FROM jobs WHERE queue = ? AND state = 'waiting' AND priority = ? ORDER BY id LIMIT 1");
    let oldest: number | null = null;
    for (let priority = PRIORITY.LOW; priority <= PRIORITY.URGENT; priority++) {
      const row = first.get(p.queue, priority) as { run_at: number } | null;
      if (row && (oldest === null || row.run_at < oldest)) oldest = row.run_at;
    }
    return oldest;
  }

  async queueNextRunAt(p: { queue: string }) {
    const row = this.db
      .query("SELECT MIN(run_at) AS at FROM jobs WHERE queue = ? AND state = 'delayed'")
      .get(p.queue) as { at: number | null };
    return row.at;
  }

  // Tokens and the dashboard's sessions: see token-ops.ts.
  tokenCreate: TokenOps["tokenCreate"] = (p) => this.tokenOps.tokenCreate(p);
  tokenFind: TokenOps["tokenFind"] = (p) => this.tokenOps.tokenFind(p);
  tokensCount: TokenOps["tokensCount"] = () => this.tokenOps.tokensCount();
  tokensList: TokenOps["tokensList"] = () => this.tokenOps.tokensList();
  tokenRevoke: TokenOps["tokenRevoke"] = (p) => this.tokenOps.tokenRevoke(p);
  tokenTouch: TokenOps["tokenTouch"] = (p) => this.tokenOps.tokenTouch(p);
  tokensVersion: TokenOps["tokensVersion"] = () => this.tokenOps.tokensVersion();
  sessionCreate: TokenOps["sessionCreate"] = (p) => this.tokenOps.sessionCreate(p);
  sessionFind: TokenOps["sessionFind"] = (p) => this.tokenOps.sessionFind(p);
  sessionDelete: TokenOps["sessionDelete"] = (p) => this.tokenOps.sessionDelete(p);
  sessionsPrune: TokenOps["sessionsPrune"] = (p) => this.tokenOps.sessionsPrune(p);

  // Schedules and job pruning: see schedule-ops.ts.
  scheduleGet: ScheduleOps["scheduleGet"] = (p) => this.scheduleOps.scheduleGet(p);
  schedulesList: ScheduleOps["schedulesList"] = () => this.scheduleOps.schedulesList();
  schedulesDue: ScheduleOps["schedulesDue"] = (p) => this.scheduleOps.schedulesDue(p);
  scheduleCreate: ScheduleOps["scheduleCreate"] = (p) => this.scheduleOps.scheduleCreate(p);
  schedulePut: ScheduleOps["schedulePut"] = (p) => this.scheduleOps.schedulePut(p);
  scheduleDelete: ScheduleOps["scheduleDelete"] = (p) => this.scheduleOps.scheduleDelete(p);
  scheduleFire: ScheduleOps["scheduleFire"] = (p) => this.scheduleOps.scheduleFire(p);
  scheduleRunsList: ScheduleOps["scheduleRunsList"] = (p) => this.scheduleOps.scheduleRunsList(p);
  scheduleRecord: ScheduleOps["scheduleRecord"] = (p) => this.scheduleOps.scheduleRecord(p);
  jobsPrune: ScheduleOps["jobsPrune"] = (p) => this.scheduleOps.jobsPrune(p);

  // Workers and push targets' secrets: see worker-ops.ts.
  workerSeen: WorkerOps["workerSeen"] = (p) => this.workerOps.workerSeen(p);
  workersList: WorkerOps["workersList"] = (p) => this.workerOps.workersList(p);
  workerGet: WorkerOps["workerGet"] = (p) => this.workerOps.workerGet(p);
  workerRequestShutdown: WorkerOps["workerRequestShutdown"] = (p) => this.workerOps.workerRequestShutdown(p);
  workersPrune: WorkerOps["workersPrune"] = (p) => this.workerOps.workersPrune(p);
  targetSecretEnsure: WorkerOps["targetSecretEnsure"] = (p) => this.workerOps.targetSecretEnsure(p);
  targetSecretRotate: WorkerOps["targetSecretRotate"] = (p) => this.workerOps.targetSecretRotate(p);

  // Monitoring: counts, aggregates, events, alerts, reports, lanes; see monitor-ops.ts.
  countsTotal: SqliteMonitor["countsTotal"] = (p) => this.monitor.countsTotal(p);
  statsTotals: SqliteMonitor["statsTotals"] = (p) => this.monitor.statsTotals(p);
  statsSeries: SqliteMonitor["statsSeries"] = (p) => this.monitor.statsSeries(p);
  statsHistogram: SqliteMonitor["statsHistogram"] = (p) => this.monitor.statsHistogram(p);
  statsErrors: SqliteMonitor["statsErrors"] = (p) => this.monitor.statsErrors(p);
  statsErrorMinutes: SqliteMonitor["statsErrorMinutes"] = (p) => this.monitor.statsErrorMinutes(p);
  errorSample: SqliteMonitor["errorSample"] = (p) => this.monitor.errorSample(p);
  errorFailures: SqliteMonitor["errorFailures"] = (p) => this.monitor.errorFailures(p);
  statsSlowest: SqliteMonitor["statsSlowest"] = (p) => this.monitor.statsSlowest(p);
  historyPrune: SqliteMonitor["historyPrune"] = (p) => this.monitor.historyPrune(p);
  eventsAfter: SqliteMonitor["eventsAfter"] = (p) => this.monitor.eventsAfter(p);
  jobEvents: SqliteMonitor["jobEvents"] = (p) => this.monitor.jobEvents(p);
  eventsLatestId: SqliteMonitor["eventsLatestId"] = (p) => this.monitor.eventsLatestId(p);
  eventAppend: SqliteMonitor["eventAppend"] = (p) => this.monitor.eventAppend(p);
  eventsPrune: SqliteMonitor["eventsPrune"] = (p) => this.monitor.eventsPrune(p);
  alertUpsert: SqliteMonitor["alertUpsert"] = (p) => this.monitor.alertUpsert(p);
  alertResolve: SqliteMonitor["alertResolve"] = (p) => this.monitor.alertResolve(p);
  alertGet: SqliteMonitor["alertGet"] = (p) => this.monitor.alertGet(p);
  alertsList: SqliteMonitor["alertsList"] = (p) => this.monitor.alertsList(p);
  alertAck: SqliteMonitor["alertAck"] = (p) => this.monitor.alertAck(p);
  reportPut: SqliteMonitor["reportPut"] = (p) => this.monitor.reportPut(p);
  reportGet: SqliteMonitor["reportGet"] = (p) => this.monitor.reportGet(p);
  reportsList: SqliteMonitor["reportsList"] = (p) => this.monitor.reportsList(p);
  lanesList: SqliteMonitor["lanesList"] = (p) => this.monitor.lanesList(p);
  lanesBlocked: SqliteMonitor["lanesBlocked"] = (p) => this.monitor.lanesBlocked(p);

  /** Stops writing job events to the log, for measuring what the log costs (bench/monitor-overhead.ts); counts are kept as before. */
  withoutEventLog(): void {
    this.changes.logEvents = false;
  }

  /**
   * VACUUM INTO reads one snapshot of the database (a read transaction: writers carry on in
   * the WAL) and writes it compacted to `path`. It runs between group commits, never inside
   * one, since every write transaction opens and commits within a single turn.
   */
  async backupTo(p: { path: string }) {
    this.db.query("VACUUM INTO ?").run(p.path);
  }

  /** The database file's size and its WAL's (none while checkpointed away, as after a clean stop). */
  files(): StoreFiles {
    const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    return { databaseBytes: size(this.db.filename), walBytes: size(`${this.db.filename}-wal`) };
  }

  /**
   * Reachable and writable. After a write failed for want of storage (a full disk answers reads
   * but no commit), one small write shows whether storage has come back.
   */
  async ping() {
    this.db.query("SELECT 1").get();
    if (this.writer.failing !== null) {
      await this.writer.write(() => this.db.query("UPDATE monitor_cursors SET value = value WHERE name = 'stats_fold'").run()).catch(() => {});
    }
    return this.writer.failing === null;
  }

  async close() {
    await this.checkpoints.stop();
    this.writer.finish();
    try {
      this.db.transaction(() => this.changes.writeAllFigures())();
    } catch {
      // Storage gone: the figures of the last second go with it (never a job).
    }
    try {
      this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // A checkpoint is an optimisation at shutdown; the WAL replays on the next open.
    }
    this.db.close();
  }

  private counts(queue: string): StateCounts {
    const counts = emptyCounts();
    const rows = this.db.query("SELECT state, n FROM queue_counts WHERE queue = ?").all(queue) as { state: string; n: number }[];
    for (const { state, n } of rows) counts[state as keyof StateCounts] = n;
    return counts;
  }

  /**
   * Repeats a bulk step, one transaction per batch, until a batch comes back short or `max`
   * rows (all when undefined) are done.
   */
  private async inBatches(max: number | undefined, step: (limit: number) => number): Promise<number> {
    let total = 0;
    for (;;) {
      const want = Math.min(BULK_BATCH, (max ?? Infinity) - total);
      if (want <= 0) return total;
      const n = await this.writer.write(() => step(want));
      total += n;
      if (n < want) return total;
    }
  }
}
