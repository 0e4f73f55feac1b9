/** spool claim latency: claim(max 1) + complete through QueueService, one at a time, empty vs a large backlog, sampled alternately. */
import { DEFAULT_BACKOFF } from "../src/core/job.ts";
import type { QueueService } from "../src/core/queue-service.ts";
import type { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { fmtMs, percentile, progress, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { openSpool } from "./spool-core.ts";

/** Claim-step and round-trip samples (ms). */
export type LatencySamples = { claim: number[]; roundTrip: number[] };

/** Takes one sample: the claim's time and the claim + complete's (ms). */
export type TakeSample = (i: number) => Promise<[claim: number, roundTrip: number]>;

/**
 * `samples` samples of each case, after a tenth as many to warm up, taken alternately (and
 * each round starting with another case), so that a noisy stretch of this shared machine
 * falls on every case alike and their ratio is taken over the same moments.
 */
export async function sampleAlternately(cases: TakeSample[], samples: number, timeoutMs: number, what: string): Promise<LatencySamples[]> {
  const warmup = Math.ceil(samples / 10);
  const out = cases.map((): LatencySamples => ({ claim: [], roundTrip: [] }));
  const deadline = performance.now() + timeoutMs;
  for (let i = 0; i < warmup + samples; i++) {
    if (performance.now() > deadline) throw new Error(`${what}: ${i} samples before the deadline`);
    for (let k = 0; k < cases.length; k++) {
      const c = (i + k) % cases.length;
      const [claim, roundTrip] = await cases[c]!(i);
      if (i >= warmup) (out[c]!.claim.push(claim), out[c]!.roundTrip.push(roundTrip));
    }
  }
  return out;
}

/**
 * Each sample enqueues one job (not timed), then times claim(max 1) and complete. With a
 * backlog the claim takes the oldest waiting job of the same queue, the rest stay behind it.
 */
function roundTrip(svc: QueueService, queue: string): TakeSample {
  return async (i) => {
    await svc.enqueue(queue, { payload: { n: i } });
    const t0 = performance.now();
    const [job] = await svc.claim({ queue, workerId: "bench-latency", max: 1 });
    const t1 = performance.now();
    if (!job) throw new Error(`claim latency on ${queue}: nothing to claim`);
    await svc.complete({ id: job.id, token: job.leaseToken! });
    return [t1 - t0, performance.now() - t0];
  };
}

/**
 * Writes `rows` completed jobs of `queue` straight into the jobs table, 100k per transaction, with
 * what the store would have written beside them: the queue's completed count and an event per job.
 */
function insertCompleted(store: SqliteStore, queue: string, rows: number, at: number): void {
  const insert = store.db.query(
    `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ?1)
     INSERT INTO jobs (queue, payload, priority, state, run_at, attempts, max_attempts, backoff, result, worker_id,
                       created_at, started_at, finished_at, event_ids)
     SELECT ?2, json_object('n', ?3 + i), 5, 'completed', ?4, 1, 3, ?5, 'null', 'bench-history', ?4, ?4, ?4, CAST(?6 + i + 1 AS TEXT) FROM s`,
  );
  const logEvents = store.db.query(
    `INSERT INTO events (at, type, queue, key, job_id, state, attempt)
     SELECT created_at, 'job.enqueued', queue, key, id, state, attempts FROM jobs WHERE id > ?1`,
  );
  const count = store.db.query(`UPDATE queue_counts SET n = n + ?1 WHERE queue = ?2 AND state = 'completed'`);
  const lastId = store.db.query<{ id: number }, []>(`SELECT coalesce(max(id), 0) AS id FROM jobs`);
  const lastEventId = store.db.query<{ id: number }, []>(`SELECT coalesce(max(id), 0) AS id FROM events`);
  const backoff = JSON.stringify(DEFAULT_BACKOFF);
  for (let done = 0; done < rows; done += 100_000) {
    const n = Math.min(100_000, rows - done);
    store.db.transaction(() => {
      const after = lastId.get()!.id;
      // Each job's timeline names its event, which the insert below gives the next id in job order.
      insert.run(n, queue, done, at, backoff, lastEventId.get()!.id);
      logEvents.run(after);
      count.run(n, queue);
    })();
  }
}

/** A queue holding `rows` completed jobs, then `rows` waiting jobs enqueued through the service. */
export async function fillBacklog(svc: QueueService, store: SqliteStore, queue: string, rows: number): Promise<void> {
  const t0 = performance.now();
  // Statement journals in memory only while building (spool's own setting is restored below):
  // on disk they cost a write per touched page per statement, which is not what is measured here.
  store.db.exec("PRAGMA temp_store = MEMORY");
  // The first enqueue creates the queue and its count rows, which the store keeps up to date as jobs move.
  await svc.enqueue(queue, { payload: { n: -1 } });
  insertCompleted(store, queue, rows, Date.now() - 3_600_000);
  const batch = (from: number) => Array.from({ length: 1000 }, (_, i) => ({ payload: { n: from + i } }));
  for (let i = 0; i < rows - 1; i += 4000) {
    const sizes = [0, 1000, 2000, 3000].filter((k) => i + k < rows - 1);
    await Promise.all(sizes.map((k) => svc.enqueueMany(queue, batch(i + k).slice(0, Math.min(1000, rows - 1 - i - k)))));
  }
  store.db.exec("PRAGMA temp_store = DEFAULT");
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const { counts } = await svc.getQueue(queue);
  if (counts.waiting !== rows || counts.completed !== rows) {
    throw new Error(`backlog: expected ${rows} waiting and completed, found ${counts.waiting} and ${counts.completed}`);
  }
  progress(`spool backlog of ${rows} waiting + ${rows} completed built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export function latencyFigures(engine: Figure["engine"], scenario: "empty" | "backlog", s: LatencySamples): Figure[] {
  const figures: Figure[] = [];
  for (const [step, values] of [["claim", s.claim], ["round", s.roundTrip]] as const) {
    for (const p of [50, 99]) figures.push({ id: `latency.${scenario}.${step}.p${p}`, engine, value: percentile(values, p), unit: "ms" });
  }
  return figures;
}

function report(label: string, s: LatencySamples): void {
  progress(
    `${label}: claim p50 ${fmtMs(percentile(s.claim, 50))} p99 ${fmtMs(percentile(s.claim, 99))}; ` +
      `claim+complete p50 ${fmtMs(percentile(s.roundTrip, 50))} p99 ${fmtMs(percentile(s.roundTrip, 99))}`,
  );
}

export async function runSpoolLatency(o: BenchOptions): Promise<Figure[]> {
  const empty = openSpool();
  const full = openSpool();
  await withDeadline(fillBacklog(full.svc, full.store, "latency", o.rows), 3 * o.scenarioTimeoutMs, "spool backlog");
  const [emptySamples, backlogSamples] = await sampleAlternately(
    [roundTrip(empty.svc, "latency"), roundTrip(full.svc, "latency")], o.samples, 2 * o.scenarioTimeoutMs, "spool claim latency",
  );
  report("spool empty database", emptySamples!);
  report(`spool ${o.rows} waiting + ${o.rows} completed`, backlogSamples!);
  return [...latencyFigures("spool", "empty", emptySamples!), ...latencyFigures("spool", "backlog", backlogSamples!)];
}
