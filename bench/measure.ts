/** Measuring: figures, rates, percentiles, bounded waits and progress lines. */

export type Engine = "spool" | "bullmq" | "bunqueue";

/** One measured number; figures with the same id are compared across engines. */
export type Figure = { id: string; engine: Engine; value: number; unit: "jobs/s" | "ms" | "µs" | "%" };

export const rate = (jobs: number, ms: number) => (jobs * 1000) / ms;

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** One figure per engine and id: the median of the values measured for it (upper median for an even count). */
export function medianFigures(figures: Figure[]): Figure[] {
  const groups = new Map<string, Figure[]>();
  for (const f of figures) groups.set(`${f.engine} ${f.id}`, [...(groups.get(`${f.engine} ${f.id}`) ?? []), f]);
  return [...groups.values()].map((g) => ({ ...g[0]!, value: percentile(g.map((f) => f.value), 50) }));
}

/** Rejects when `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it returns true; throws after `ms`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`${what}: not ready within ${ms} ms`);
}

/** Progress goes to stderr so stdout carries only results. */
export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}

export const fmtRate = (perSecond: number) => `${Math.round(perSecond).toLocaleString("en-US")} jobs/s`;
export const fmtMs = (ms: number) => `${ms.toFixed(3)} ms`;
