/** HTTP pull workers in their own process: `bun bench/http-workers.ts CONFIG_JSON` prints `{completed, ms}`. */

export type HttpWorkersConfig = { url: string; queue: string; loops: number; max: number; timeoutMs: number };

type Claimed = { id: string; lease: { token: string } };

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const noop = async (_job: Claimed) => {};

/**
 * One worker loop: claim up to `max`, run a no-op handler, complete (one request per job when
 * max is 1, one batch completion otherwise); stops when a claim comes back empty.
 */
async function runLoop(c: HttpWorkersConfig, w: number, deadline: number): Promise<number> {
  let completed = 0;
  while (performance.now() < deadline) {
    const { jobs } = await post<{ jobs: Claimed[] }>(`${c.url}/v1/queues/${c.queue}/claim`, { workerId: `bench-${w}`, max: c.max, leaseMs: 60_000 });
    if (jobs.length === 0) return completed;
    for (const job of jobs) await noop(job);
    if (c.max === 1) {
      await post(`${c.url}/v1/jobs/${jobs[0]!.id}/complete`, { token: jobs[0]!.lease.token });
      completed++;
    } else {
      const { items } = await post<{ items: { outcome: string }[] }>(`${c.url}/v1/jobs/complete`, {
        items: jobs.map((j) => ({ id: j.id, token: j.lease.token })),
      });
      completed += items.filter((i) => i.outcome === "completed").length;
    }
  }
  return completed;
}

const config = JSON.parse(process.argv[2] ?? "null") as HttpWorkersConfig | null;
if (!config) {
  console.error("usage: bun bench/http-workers.ts CONFIG_JSON");
  process.exit(2);
}
const t0 = performance.now();
const counts = await Promise.all(Array.from({ length: config.loops }, (_, w) => runLoop(config, w, t0 + config.timeoutMs)));
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ completed: counts.reduce((a, b) => a + b, 0), ms }) + "\n");
