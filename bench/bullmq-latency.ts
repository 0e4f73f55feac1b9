/** BullMQ's analogue of claim latency: getNextJob(block: false) + moveToCompleted, one at a time, empty vs a backlog, sampled alternately. */
import { Worker, type Queue } from "bullmq";
import Redis from "ioredis";
import { latencyFigures, sampleAlternately, type LatencySamples, type TakeSample } from "./claim-latency.ts";
import { fmtMs, percentile, progress, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { startRedis } from "./redis-server.ts";
import { onCleanup } from "./resources.ts";
import { addBatches, openQueue, type BullConnection } from "./bullmq.ts";

const TOKEN = "bench-latency";

/**
 * Each sample adds one job (not timed), then times getNextJob(block: false) — moveToActive —
 * and moveToCompleted(fetchNext: false): BullMQ's claim and complete, one Redis script each.
 */
function roundTrip(queue: Queue, worker: Worker): TakeSample {
  return async (i) => {
    await queue.add("job", { n: i });
    const t0 = performance.now();
    const job = await worker.getNextJob(TOKEN, { block: false });
    const t1 = performance.now();
    if (!job) throw new Error(`BullMQ latency on ${queue.name}: nothing to fetch`);
    await job.moveToCompleted(null, TOKEN, false);
    return [t1 - t0, performance.now() - t0];
  };
}

/** Writes completed jobs as BullMQ leaves them (job hash + entry in the completed set), 10k per script call. */
const WRITE_COMPLETED = `
local first = redis.call("INCRBY", KEYS[1], ARGV[2]) - tonumber(ARGV[2]) + 1
for id = first, first + tonumber(ARGV[2]) - 1 do
  redis.call("HSET", ARGV[1] .. id, "name", "job", "data", '{"n":' .. id .. '}',
    "opts", '{"removeOnComplete":false,"removeOnFail":false,"attempts":0}', "timestamp", ARGV[3], "delay", "0",
    "priority", "0", "processedOn", ARGV[3], "ats", "1", "atm", "1", "returnvalue", "null", "finishedOn", ARGV[3])
  redis.call("ZADD", KEYS[2], ARGV[3], id)
end
return first`;

async function fillBacklog(connection: BullConnection, queue: Queue, rows: number): Promise<void> {
  const t0 = performance.now();
  await queue.add("job", { n: -1 });
  const redis = new Redis({ host: connection.host, port: connection.port });
  try {
    const prefix = `bull:${queue.name}:`;
    const at = String(Date.now() - 3_600_000);
    for (let done = 0; done < rows; done += 10_000) {
      await redis.eval(WRITE_COMPLETED, 2, `${prefix}id`, `${prefix}completed`, prefix, String(Math.min(10_000, rows - done)), at);
    }
  } finally {
    redis.disconnect();
  }
  for (let i = 0; i < rows - 1; i += 4000) {
    const n = Math.min(4000, rows - 1 - i);
    await Promise.all([0, 1000, 2000, 3000].filter((k) => k < n).map((k) => addBatches(queue, Math.min(1000, n - k))));
  }
  const counts = await queue.getJobCounts("waiting", "completed");
  if (counts.waiting !== rows || counts.completed !== rows) {
    throw new Error(`backlog: expected ${rows} waiting and completed, found ${counts.waiting} and ${counts.completed}`);
  }
  progress(`BullMQ backlog of ${rows} waiting + ${rows} completed built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function report(label: string, s: LatencySamples): void {
  progress(
    `${label}: getNextJob p50 ${fmtMs(percentile(s.claim, 50))} p99 ${fmtMs(percentile(s.claim, 99))}; ` +
      `+ moveToCompleted p50 ${fmtMs(percentile(s.roundTrip, 50))} p99 ${fmtMs(percentile(s.roundTrip, 99))}`,
  );
}

export async function runBullmqLatency(o: BenchOptions): Promise<Figure[]> {
  const { port } = await startRedis();
  const connection: BullConnection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const open = (name: string) => {
    const worker = new Worker(name, null, { connection, autorun: false });
    onCleanup(() => worker.close(true));
    return { queue: openQueue(connection, name), worker };
  };

  const empty = open("latency-empty");
  const full = open("latency-backlog");
  await withDeadline(fillBacklog(connection, full.queue, o.rows), 3 * o.scenarioTimeoutMs, "BullMQ backlog");
  const [emptySamples, backlogSamples] = await sampleAlternately(
    [roundTrip(empty.queue, empty.worker), roundTrip(full.queue, full.worker)], o.samples, 2 * o.scenarioTimeoutMs, "BullMQ latency",
  );
  report("BullMQ empty queue", emptySamples!);
  report(`BullMQ ${o.rows} waiting + ${o.rows} completed`, backlogSamples!);
  return [...latencyFigures("bullmq", "empty", emptySamples!), ...latencyFigures("bullmq", "backlog", backlogSamples!)];
}
