/**
 * Graceful shutdown of `spool serve`: stop claiming, answer open long polls, give running
 * in-process and push jobs the grace period to finish (releasing the rest), and let HTTP
 * workers complete what they hold while the grace period lasts. Hurried (a second signal),
 * it gives back what still runs at once and waits for no one.
 */
import { StorageUnavailable } from "../core/errors.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { WorkerRegistry } from "./worker-registry.ts";

export type Stoppable = { stop(graceMs: number): Promise<void> };

export type ShutdownParams = {
  service: QueueService;
  registry: WorkerRegistry;
  /** In-process workers and push deliveries. */
  workers: Stoppable[];
  graceMs: number;
  /** Aborted to cut the grace period short. */
  hurry?: AbortSignal;
};

/** Resolves when nothing is left to wait for, or the grace period is over; the caller then closes the listener and the store. */
export async function shutDownGracefully(p: ShutdownParams): Promise<void> {
  const deadline = performance.now() + p.graceMs;
  // New claims are held and answered empty from here on; open long polls answer empty now.
  p.registry.drain();
  await p.service.stop();
  const hurried = abortedOf(p.hurry);
  await Promise.race([Promise.all(p.workers.map((w) => w.stop(p.graceMs))), hurried]);
  // Stopped again without grace, they give back what still runs.
  if (p.hurry?.aborted) await Promise.all(p.workers.map((w) => w.stop(0)));
  // HTTP workers can still complete, fail and heartbeat what they hold; jobs still leased
  // when the grace period ends are recovered after their lease, on the next start.
  while (!p.hurry?.aborted && performance.now() < deadline && (await heldByHttpWorkers(p.registry)) > 0) {
    await Promise.race([Bun.sleep(Math.min(50, Math.max(0, deadline - performance.now()))), hurried]);
  }
  p.registry.close();
}

/** Resolves when `signal` aborts; never without one. */
function abortedOf(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function heldByHttpWorkers(registry: WorkerRegistry): Promise<number> {
  let workers;
  try {
    workers = await registry.list();
  } catch (err) {
    // Storage is unavailable: no worker can finish anything either, so there is nothing to wait for.
    if (err instanceof StorageUnavailable) return 0;
    throw err;
  }
  let held = 0;
  for (const w of workers) if (w.kind === "http" && registry.seenHere(w.id)) held += w.active;
  return held;
}
