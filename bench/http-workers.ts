/** HTTP pull workers in their own process: `bun bench/http-workers.ts CONFIG_JSON` prints `{completed, ms, cpuMs}`. */
import { Http } from "../clients/typescript/dist/http.js";

export type HttpWorkersConfig = {
  /** Servers of one queue; loop w talks to urls[w % urls.length]. */
  urls: string[];
  queue: string;
  loops: number;
  max: number;
  /** Finish the jobs just run with the next claim (its `finished`), instead of a complete request of their own. */
  finishInClaim?: boolean;
  /** The HTTP client: Bun's fetch (default), or spool/client's own (its Http, on sockets of its own). */
  client?: "fetch" | "spool/client";
  timeoutMs: number;
};

type Claimed = { id: string; lease: { token: string } };
type Outcome = { outcome: string };

async function viaFetch<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** spool/client's requests, one client per server (its kept-alive sockets are per client). */
const clients = new Map<string, Http>();
async function viaClient<T>(url: string, body: unknown): Promise<T> {
  const { origin, pathname } = new URL(url);
  let http = clients.get(origin);
  if (!http) clients.set(origin, (http = new Http({ url: origin, retryMs: 0 })));
  return (await http.request<T>("POST", pathname, { body })).data;
}

const noop = async (_job: Claimed) => {};
const completedOf = (outcomes: Outcome[] | undefined) => (outcomes ?? []).filter((o) => o.outcome === "completed").length;

/**
 * One worker loop that reports with requests of their own: claim up to `max`, run a no-op
 * handler, complete (one request per job when max is 1, one batch completion otherwise);
 * stops when a claim comes back empty.
 */
async function runLoop(c: HttpWorkersConfig, url: string, w: number, deadline: number): Promise<number> {
  let completed = 0;
  while (performance.now() < deadline) {
    const { jobs } = await post<{ jobs: Claimed[] }>(`${url}/v1/queues/${c.queue}/claim`, { workerId: `bench-${w}`, max: c.max, leaseMs: 60_000 });
    if (jobs.length === 0) return completed;
    for (const job of jobs) await noop(job);
    if (c.max === 1) {
      await post(`${url}/v1/jobs/${jobs[0]!.id}/complete`, { token: jobs[0]!.lease.token });
      completed++;
    } else {
      const { items } = await post<{ items: Outcome[] }>(`${url}/v1/jobs/complete`, {
        items: jobs.map((j) => ({ id: j.id, token: j.lease.token })),
      });
      completed += completedOf(items);
    }
  }
  return completed;
}

/**
 * One worker loop that finishes the jobs it ran with its next claim: one request per batch;
 * stops when a claim (carrying the last batch) comes back empty.
 */
async function runLoopFinishingInClaim(c: HttpWorkersConfig, url: string, w: number, deadline: number): Promise<number> {
  let completed = 0;
  let finished: { id: string; token: string }[] = [];
  while (performance.now() < deadline) {
    const body = { workerId: `bench-${w}`, max: c.max, leaseMs: 60_000, ...(finished.length ? { finished } : {}) };
    const res = await post<{ jobs: Claimed[]; finished?: Outcome[] }>(`${url}/v1/queues/${c.queue}/claim`, body);
    completed += completedOf(res.finished);
    if (res.jobs.length === 0) return completed;
    for (const job of res.jobs) await noop(job);
    finished = res.jobs.map((j) => ({ id: j.id, token: j.lease.token }));
  }
  return completed;
}

const config = JSON.parse(process.argv[2] ?? "null") as HttpWorkersConfig | null;
if (!config?.urls?.length) {
  console.error("usage: bun bench/http-workers.ts CONFIG_JSON");
  process.exit(2);
}
const post: <T>(url: string, body: unknown) => Promise<T> = config.client === "spool/client" ? viaClient : viaFetch;
const loop = config.finishInClaim ? runLoopFinishingInClaim : runLoop;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const counts = await Promise.all(Array.from({ length: config.loops }, (_, w) => loop(config, config.urls[w % config.urls.length]!, w, t0 + config.timeoutMs)));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ completed: counts.reduce((a, b) => a + b, 0), ms, cpuMs: (cpu.user + cpu.system) / 1000 }) + "\n");
