/** spool's benchmark entry: `npm run bench` (`-- --quick` for a smoke run) prints spool vs BullMQ and bunqueue tables. */
// Each suite runs in its own process, one after another on this machine; the figures are
// also written to bench/results/latest.json.
import { Database } from "bun:sqlite";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import bullmqPackage from "bullmq/package.json" with { type: "json" };
import bunqueuePackage from "bunqueue/package.json" with { type: "json" };
import { medianFigures, withDeadline, type Figure } from "./measure.ts";
import { parseOptions, selectedSuites, ROUND_SUITES, type BenchOptions, type SuiteName } from "./options.ts";
import { renderReport } from "./report.ts";
import { waitForQuietMachine } from "./process-cpu.ts";
import { stopProcess } from "./resources.ts";

let running: Bun.Subprocess | null = null;
let interrupted: number | null = null;
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    // The suite releases its own resources (redis-server, server, temp folders) on SIGTERM;
    // the loop below stops starting suites and exits once it has.
    interrupted = code;
    running?.kill("SIGTERM");
  });
}

async function runSuite(name: SuiteName, o: BenchOptions, round: number): Promise<Figure[]> {
  process.stderr.write(`▶ ${name}${ROUND_SUITES.includes(name) ? `, round ${round + 1} of ${o.rounds}` : ""}\n`);
  if (!(await waitForQuietMachine())) process.stderr.write("  · the machine stayed busy for 20 s; starting anyway\n");
  const t0 = performance.now();
  const proc = Bun.spawn([process.execPath, path.join(import.meta.dir, "suite.ts"), name, JSON.stringify(o)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  running = proc;
  try {
    // Each scenario is bounded inside the suite; this bounds the suite as a whole.
    const out = await withDeadline(new Response(proc.stdout).text(), 12 * o.scenarioTimeoutMs, `suite ${name}`);
    const code = await proc.exited;
    if (code !== 0) throw new Error(`suite ${name} exited with code ${code}`);
    process.stderr.write(`  ${name} took ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    return JSON.parse(out) as Figure[];
  } finally {
    await stopProcess(proc, 15_000);
    running = null;
  }
}

function machine(): string[] {
  const cpus = os.cpus();
  const redis = Bun.spawnSync(["redis-server", "--version"]).stdout.toString().match(/v=(\S+)/)?.[1] ?? "unknown";
  const db = new Database(":memory:");
  const sqlite = (db.query("SELECT sqlite_version() AS v").get() as { v: string }).v;
  db.close();
  return [
    `machine: ${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
    `load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `bun ${Bun.version}, SQLite ${sqlite} (WAL, synchronous=NORMAL), BullMQ ${bullmqPackage.version} + ioredis, redis-server ${redis} (appendonly yes, appendfsync everysec), ` +
      `bunqueue ${bunqueuePackage.version} embedded, everything on 127.0.0.1`,
  ];
}

const options = parseOptions(Bun.argv.slice(2));
const startedAt = new Date();
const header = [`spool vs BullMQ and bunqueue — ${startedAt.toISOString()}`, ...machine()];
header.push(
  `in-process and HTTP throughput: median of ${options.rounds} round(s), spool, BullMQ, bunqueue and spool's HTTP workers interleaved round by round; clients: one round; jobs per scenario: ${options.jobs}; ` +
    `one-at-a-time enqueue: ${options.singleJobs}`,
  `latency samples: ${options.samples} per case; backlog: ${options.rows} waiting + ${options.rows} completed rows`,
  "BullMQ and bunqueue keep finished jobs (removeOnComplete: false, removeOnFail: false), as spool keeps finished rows.",
);

// The throughput suites run interleaved, one round after another, each round starting one
// suite later (spool, BullMQ, bunqueue, HTTP; then BullMQ, bunqueue, HTTP, spool; …), so that a
// change in the machine's load hits every engine alike and each takes every place in the
// order; each figure is the median of its rounds. The other suites run once, after them.
const selected = selectedSuites(options);
const inRounds = selected.filter((s) => ROUND_SUITES.includes(s));
const plan = [
  ...Array.from({ length: options.rounds }, (_, round) =>
    inRounds.map((_, i) => ({ suite: inRounds[(i + round) % inRounds.length]!, round })),
  ).flat(),
  ...selected.filter((s) => !ROUND_SUITES.includes(s)).map((suite) => ({ suite, round: 0 })),
];
const perRound: { suite: SuiteName; round: number; figures: Figure[] }[] = [];
const failures: { suite: SuiteName; round: number; error: string }[] = [];
for (const { suite, round } of plan) {
  if (interrupted !== null) break;
  try {
    perRound.push({ suite, round, figures: await runSuite(suite, options, round) });
  } catch (err) {
    failures.push({ suite, round, error: (err as Error).message });
    process.stderr.write(`✗ ${suite} (round ${round + 1}): ${(err as Error).message}\n`);
  }
}
const figures = medianFigures(perRound.flatMap((r) => r.figures));

if (interrupted !== null) {
  process.stderr.write("interrupted: no report written\n");
  process.exit(interrupted);
}

const durationSec = (Date.now() - startedAt.getTime()) / 1000;
header.push(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; total time ${durationSec.toFixed(0)} s`);
const { text, targets } = renderReport(options, figures, header);
console.log(text);
for (const f of failures) console.log(`FAILED suite ${f.suite} (round ${f.round + 1}): ${f.error}`);

// Smoke and partial runs never overwrite the full run's record.
const resultsFile = options.only.length ? "latest-partial.json" : options.quick ? "latest-quick.json" : "latest.json";
const resultsDir = path.join(import.meta.dir, "results");
fs.mkdirSync(resultsDir, { recursive: true });
const record = { startedAt: startedAt.toISOString(), durationSec, header, options, figures, targets, failures, perRound };
fs.writeFileSync(path.join(resultsDir, resultsFile), JSON.stringify(record, null, 2) + "\n");
console.log(`\nwritten: bench/results/${resultsFile}`);
process.exit(failures.length ? 1 : 0);
