/** Runs one benchmark suite in its own process: `bun bench/suite.ts NAME OPTIONS_JSON`; figures go to stdout as JSON. */
import type { Figure } from "./measure.ts";
import type { BenchOptions, SuiteName } from "./options.ts";
import { cleanup, cleanupOnSignals } from "./resources.ts";

const SUITE_RUNNERS: Record<SuiteName, (o: BenchOptions) => Promise<Figure[]>> = {
  "spool-core": async (o) => (await import("./spool-core.ts")).runSpoolCore(o),
  "spool-http": async (o) => (await import("./spool-http.ts")).runSpoolHttp(o),
  "spool-latency": async (o) => (await import("./claim-latency.ts")).runSpoolLatency(o),
  bullmq: async (o) => (await import("./bullmq.ts")).runBullmq(o),
  bunqueue: async (o) => (await import("./bunqueue.ts")).runBunqueue(o),
  "bullmq-latency": async (o) => (await import("./bullmq-latency.ts")).runBullmqLatency(o),
  "spool-start": async (o) => {
    const { runLatencyBench, QUICK_LATENCY_OPTIONS } = await import("./latency.ts");
    return runLatencyBench(o.quick ? QUICK_LATENCY_OPTIONS : { samples: o.samples, jobs: o.jobs, timeoutMs: o.scenarioTimeoutMs });
  },
  "bullmq-start": async (o) => (await import("./bullmq-start.ts")).runBullmqStart(o),
  "dashboard-pages": async (o) => (await import("./dashboard.ts")).runDashboardPages(o),
  "dashboard-overhead": async (o) => (await import("./dashboard.ts")).runDashboardOverhead(o),
  redis: async (o) => (await import("./redis.ts")).runRedis(o),
  clients: async (o) => (await import("./clients.ts")).runClients(o),
};

const [name, optionsJson] = process.argv.slice(2);
const runSuite = SUITE_RUNNERS[name as SuiteName];
if (!runSuite || !optionsJson) {
  console.error(`usage: bun bench/suite.ts <${Object.keys(SUITE_RUNNERS).join("|")}> OPTIONS_JSON`);
  process.exit(2);
}
cleanupOnSignals();
try {
  const figures = await runSuite(JSON.parse(optionsJson) as BenchOptions);
  await cleanup();
  process.stdout.write(JSON.stringify(figures) + "\n");
  process.exit(0);
} catch (err) {
  process.stderr.write(`${name} failed: ${(err as Error).stack ?? err}\n`);
  await cleanup();
  process.exit(1);
}
