/** The workers `spool serve` runs itself: push deliveries, handlers from --handlers, and maintenance jobs. */
import type { QueueService } from "../core/queue-service.ts";
import type { MaintenanceContext } from "../duties/duty.ts";
import { startMaintenanceWorker } from "../duties/maintenance-jobs.ts";
import { shutDownGracefully } from "./graceful-shutdown.ts";
import { loadHandlers, startHandlers } from "./handlers-file.ts";
import { PushDispatcher } from "./push-dispatcher.ts";
import { Spool } from "./spool.ts";
import type { WorkerRegistry } from "./worker-registry.ts";

export type ServerWorkersOptions = {
  service: QueueService;
  registry: WorkerRegistry;
  /** A file exporting `handlers` (see handlers-file.ts), or null. */
  handlersFile: string | null;
  /** What the maintenance jobs' duties run with besides the service: the data folder and monitoring. */
  maintenance: Omit<MaintenanceContext, "service">;
};

export type ServerWorkers = {
  spool: Spool;
  dispatcher: PushDispatcher;
  /** Stops claiming, gives running jobs graceMs to finish, or until `hurry` aborts (see graceful-shutdown.ts). */
  shutDown(graceMs: number, hurry?: AbortSignal): Promise<void>;
};

/** Loads the handlers file first, so a broken file refuses the start before anything runs. */
export async function startServerWorkers(o: ServerWorkersOptions): Promise<ServerWorkers> {
  const handlers = o.handlersFile ? await loadHandlers(o.handlersFile) : null;
  const spool = new Spool({ service: o.service, registry: o.registry });
  const dispatcher = new PushDispatcher({ service: o.service, registry: o.registry });
  await dispatcher.start();
  startMaintenanceWorker(spool, o.maintenance);
  if (handlers) startHandlers(spool, handlers);
  return {
    spool,
    dispatcher,
    shutDown: (graceMs, hurry) =>
      shutDownGracefully({ service: o.service, registry: o.registry, workers: [{ stop: (ms) => spool.stopWorkers(ms) }, dispatcher], graceMs, hurry }),
  };
}
