/**
 * What a background duty is: its name, when it runs, the store calls it makes, and the run.
 * Every duty spool has is listed in all-duties.ts.
 */
import type { QueueService } from "../core/queue-service.ts";
import type { Store } from "../core/store.ts";
import type { Monitor } from "../monitor/monitor.ts";
import type { MaintenanceTaskName } from "../scheduler/builtins.ts";

/** A Store method by name: renaming one breaks the build of every duty that declares it. */
export type StoreCall = keyof Store;

/** On a timer in every spool process: each server, and a program that opened spool itself. */
export type EveryProcess = { kind: "interval"; everyMs: number };

/**
 * As the job of a built-in schedule (`spool:<task>`), so once per fire across every server
 * sharing the store. Several duties may share a task; its job runs them in list order.
 */
export type OnSchedule = { kind: "schedule"; task: MaintenanceTaskName };

/** What an interval duty runs with: the queue service, its store and its clock. */
export type DutyContext = { service: QueueService };

/**
 * What a scheduled duty also needs: monitoring (its config, channels and reports), the data
 * folder, and the fire time its job was enqueued for (null when triggered by hand): a run that
 * catches up after a downtime does the work of that fire, not of the moment it runs.
 */
export type MaintenanceContext = DutyContext & { monitor: Monitor; dataDir: string; firedAt?: number | null };

type DutyOf<Trigger, Context, Result> = {
  name: string;
  trigger: Trigger;
  /** Every Store method the run calls, directly or through the service or monitor. */
  storeCalls: readonly StoreCall[];
  run(ctx: Context): Promise<Result>;
};

export type IntervalDuty = DutyOf<EveryProcess, DutyContext, unknown>;

/** Its result becomes part of the maintenance job's result (and the schedule's latest result). */
export type ScheduledDuty = DutyOf<OnSchedule, MaintenanceContext, object>;

export type Duty = IntervalDuty | ScheduledDuty;
