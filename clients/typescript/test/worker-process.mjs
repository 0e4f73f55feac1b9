/**
 * A worker in a process of its own, for the tests that kill or signal it:
 * `node worker-process.mjs URL QUEUE hang|slow`. It prints "started ID" as each job starts;
 * "hang" never finishes a job, "slow" finishes each after 800 ms. SIGTERM stops it gracefully.
 */
import { SpoolClient } from "spool/client";

const [url, queue, mode] = process.argv.slice(2);
const client = new SpoolClient({ url });
const worker = client.work(
  queue,
  async (job) => {
    console.log(`started ${job.id}`);
    if (mode === "hang") return new Promise(() => {});
    await new Promise((r) => setTimeout(r, 800));
    return { finishedBy: process.pid };
  },
  { concurrency: 2, leaseMs: 2000, graceMs: 10_000 },
);
await worker.done;
console.log("stopped");
