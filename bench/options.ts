/** Benchmark options: job counts, backlog size and sample counts, from the command line. */

export type BenchOptions = {
  /** Small figures for a smoke run. */
  quick: boolean;
  /**
   * Rounds of the throughput suites (spool-core, bullmq, bunqueue, spool-http) and of the redis suite's
   * scenarios (run inside it, engines interleaved); each figure is the median of its rounds.
   */
  rounds: number;
  /** Jobs per throughput scenario (end-to-end runs and batch enqueue). */
  jobs: number;
  /** Jobs for the one-at-a-time enqueue scenario. */
  singleJobs: number;
  /** Waiting rows and finished rows in the claim-latency backlog (each). */
  rows: number;
  /** Timed claim round trips per latency case (after a warm-up of a tenth as many). */
  samples: number;
  /** Upper bound for any one scenario, in ms; a scenario past it is reported as failed. */
  scenarioTimeoutMs: number;
  /** Suites to run; all when empty. */
  only: string[];
};

export const SUITES = [
  "spool-core", "bullmq", "bunqueue", "spool-http", "spool-latency", "bullmq-latency", "spool-start", "bullmq-start", "dashboard-pages", "dashboard-overhead", "redis", "clients",
] as const;
export type SuiteName = (typeof SUITES)[number];
/**
 * The throughput suites compared engine to engine: in-process (spool-core, bullmq, bunqueue) and
 * spool's HTTP workers, whose rows are set against BullMQ's in-process worker; they run in
 * rounds, interleaved (the others once).
 */
export const ROUND_SUITES: readonly SuiteName[] = ["spool-core", "bullmq", "bunqueue", "spool-http"];

const FULL: BenchOptions = { quick: false, rounds: 3, jobs: 20_000, singleJobs: 10_000, rows: 1_000_000, samples: 2_000, scenarioTimeoutMs: 180_000, only: [] };
const QUICK: BenchOptions = { quick: true, rounds: 1, jobs: 2_000, singleJobs: 1_000, rows: 20_000, samples: 300, scenarioTimeoutMs: 60_000, only: [] };

const USAGE = `usage: bun bench/run.ts [--quick] [--jobs N] [--single-jobs N] [--rows N] [--samples N] [--rounds N] [--only ${SUITES.join(",")}]`;

export function parseOptions(argv: string[]): BenchOptions {
  const options = { ...(argv.includes("--quick") ? QUICK : FULL) };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === "--quick") continue;
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (flag === "--only") {
      const names = value.split(",").filter(Boolean);
      const unknown = names.filter((n) => !(SUITES as readonly string[]).includes(n));
      if (unknown.length) throw new Error(`unknown suite ${unknown.join(", ")}\n${USAGE}`);
      options.only = names;
      continue;
    }
    const n = Number(value.replaceAll("_", ""));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got "${value}"`);
    if (flag === "--jobs") options.jobs = n;
    else if (flag === "--single-jobs") options.singleJobs = n;
    else if (flag === "--rows") options.rows = n;
    else if (flag === "--samples") options.samples = n;
    else if (flag === "--rounds") options.rounds = n;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

export function selectedSuites(options: BenchOptions): SuiteName[] {
  return SUITES.filter((s) => options.only.length === 0 || options.only.includes(s));
}
