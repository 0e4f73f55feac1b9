/** Claims and heartbeats as every kind of worker makes them: record the sighting, answer its control, go through QueueService. */
import type { Job } from "../core/job.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { ClaimRequest, CompleteOutcome, HeartbeatRequest } from "../core/work-requests.ts";
import type { CompleteItem } from "../core/store.ts";
import { waitAtMost } from "../wait-at-most.ts";
import type { WorkerControl, WorkerIdentity, WorkerRegistry } from "./worker-registry.ts";

export type WorkerClaim = Omit<ClaimRequest, "workerId"> & {
  identity: WorkerIdentity;
  /** Completions the claim carries (finished with the next claim); their outcomes go to `onOutcomes`. */
  completing?: { items: CompleteItem[]; onOutcomes: (outcomes: CompleteOutcome[]) => void };
};

export type ClaimAnswer = { jobs: Job[]; control: WorkerControl };

/**
 * Claims for a worker. A worker asked to shut down gets no more jobs. While spool shuts
 * down, a long poll is held (until its wait ends or spool has stopped) and answered empty,
 * so workers do not spin on instant empty answers.
 */
export async function claimAsWorker(deps: { service: QueueService; registry: WorkerRegistry }, req: WorkerClaim): Promise<ClaimAnswer> {
  const { identity, completing, ...claim } = req;
  // Completions are stored whatever the claim comes to.
  const reportOnly = async () => completing && completing.onOutcomes(await deps.service.completeMany(completing.items));
  const control = await deps.registry.seen(identity, claim.queue);
  if (control.shutdown) {
    await reportOnly();
    return { jobs: [], control };
  }
  if (deps.registry.draining) {
    await reportOnly();
    await holdUntilStopped(deps.registry, claim.waitMs ?? 0, claim.signal);
    return { jobs: [], control };
  }
  const lookFor = (signal?: AbortSignal) => {
    const request = { ...claim, signal: signal ?? claim.signal, workerId: identity.id };
    return completing ? deps.service.completeThenClaim(completing.items, request, completing.onOutcomes) : deps.service.claim(request);
  };
  const waits = (claim.waitMs ?? 0) > 0;
  const jobs = waits ? await deps.registry.polling(identity.id, claim.signal, lookFor) : await lookFor();
  // A long poll that came back empty has kept the worker waiting: it is still alive, and
  // may have been asked to shut down meanwhile.
  if (jobs.length === 0 && waits) return { jobs, control: await deps.registry.seen({ id: identity.id }) };
  return { jobs, control };
}

/** Extends a lease; the answer carries the control of the worker holding the job. */
export async function heartbeatAsWorker(
  deps: { service: QueueService; registry: WorkerRegistry },
  req: HeartbeatRequest,
): Promise<{ job: Job; control: WorkerControl }> {
  const job = await deps.service.heartbeat(req);
  const control = job.workerId === null ? {} : await deps.registry.seen({ id: job.workerId });
  return { job, control };
}

async function holdUntilStopped(registry: WorkerRegistry, waitMs: number, signal?: AbortSignal): Promise<void> {
  if (waitMs > 0) await waitAtMost(registry.closed(), waitMs, signal);
}
