/**
 * One Node process running no-op jobs until `jobs` are done, for bench/clients.ts:
 * `node bench/client-ts-worker.mjs CONFIG_JSON` with {engine: "spool", url, queue, jobs,
 * concurrency} (a spool/client worker) or {engine: "bullmq", port, queue, jobs, concurrency}
 * (a BullMQ Worker on that Redis). Prints `{completed, ms}`: from the worker's start until the
 * last outcome is acknowledged.
 */
const config = JSON.parse(process.argv[2] ?? "null");
if (!config) {
  console.error("usage: node bench/client-ts-worker.mjs CONFIG_JSON");
  process.exit(2);
}

async function runSpool({ url, queue, jobs, concurrency }) {
  const { SpoolClient } = await import("spool/client");
  const client = new SpoolClient({ url });
  let ran = 0;
  let worker;
  const t0 = performance.now();
  worker = client.work(queue, async () => {
    // The last job's outcome goes out as the worker stops: close() resolves once it is acknowledged.
    if (++ran === jobs) void worker.close();
  }, { concurrency, handleSignals: false });
  await worker.done;
  return { completed: ran, ms: performance.now() - t0 };
}

async function runBullmq({ port, queue, jobs, concurrency }) {
  const { Worker } = await import("bullmq");
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const worker = new Worker(queue, async () => {}, { connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, concurrency, autorun: false });
  worker.on("completed", () => ++done === jobs && finish());
  worker.on("failed", (_job, err) => console.error(err));
  await worker.waitUntilReady();
  const t0 = performance.now();
  void worker.run();
  await finished;
  const ms = performance.now() - t0;
  await worker.close();
  return { completed: done, ms };
}

const result = config.engine === "bullmq" ? await runBullmq(config) : await runSpool(config);
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
