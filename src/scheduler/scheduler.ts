/**
 * The Scheduler: passes over due schedules under the injected clock. Each pass fires, skips
 * or records missed runs through the store's compare-and-set, so any number of schedulers
 * over one store fire each fire time once.
 */
import type { Clock } from "../core/clock.ts";
import { isFinal } from "../core/job.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { Schedule, ScheduleRunKind } from "../core/schedule-store.ts";
import { quietLog } from "../quiet-log.ts";
import { ensureBuiltins, localTimezone } from "./builtins.ts";
import { fireJob, HISTORY_KEEP, planDueFire } from "./fire-plan.ts";

/** Due schedules read per store round trip. */
const DUE_BATCH = 100;
/** Longest pause between passes of the running loop. */
const MAX_TICK_MS = 1000;
/**
 * How often the running loop makes sure the built-in schedules exist: a store that lost them
 * (a Redis restarted without persistence, flushed, or failed over to an empty replica) gets
 * them back without a server restart, so health checks and retention go on.
 */
export const BUILTINS_CHECK_MS = 60_000;

export type SchedulerOptions = {
  service: QueueService;
  /** Defaults to the service's clock. */
  clock?: Clock;
  historyKeep?: number;
  /** Time zone of the built-in schedules when they are first created; the server's zone by default. */
  builtinTimezone?: string;
  /** Called with a failed pass's error while running on the timer (the loop keeps going). */
  onError?: (err: unknown) => void;
};

/** What a pass did for one schedule. */
export type FireReport = { schedule: string; kind: ScheduleRunKind; fireTime: number; count: number; jobId: string | null };

export class Scheduler {
  private readonly service: QueueService;
  private readonly clock: Clock;
  private readonly historyKeep: number;
  private readonly builtinTimezone: string;
  private readonly onError: (err: unknown) => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  /** When the running loop next makes sure the built-ins exist (clock ms). */
  private builtinsCheckAt = 0;

  constructor(options: SchedulerOptions) {
    this.service = options.service;
    this.clock = options.clock ?? options.service.clock;
    this.historyKeep = options.historyKeep ?? HISTORY_KEEP;
    this.builtinTimezone = options.builtinTimezone ?? localTimezone();
    this.onError = options.onError ?? quietLog("spool scheduler:");
  }

  /**
   * One pass at the clock's current time. A schedule another process fired first is left
   * alone; a schedule that fails does not stop the others, and the pass then throws.
   */
  async tick(): Promise<FireReport[]> {
    const now = this.clock.now();
    const reports: FireReport[] = [];
    const errors: unknown[] = [];
    for (let round = 0; round < 10; round++) {
      const due = await this.service.store.schedulesDue({ now, limit: DUE_BATCH });
      for (const schedule of due) {
        try {
          reports.push(...(await this.advance(schedule, now)));
        } catch (err) {
          errors.push(err);
        }
      }
      if (due.length < DUE_BATCH) break;
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} schedules failed to fire`);
    return reports;
  }

  /** Creates missing built-in schedules; returns the names it created. */
  async ensureBuiltins(): Promise<string[]> {
    const created = await ensureBuiltins({ store: this.service.store, now: this.clock.now(), timezone: this.builtinTimezone });
    return created.map((s) => s.name);
  }

  /**
   * Creates the built-ins and runs a first pass (catching up on runs missed while down)
   * before it returns, then runs a pass at every whole second — every fire time is one.
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.ensureBuiltins();
    this.builtinsCheckAt = this.clock.now() + BUILTINS_CHECK_MS;
    await this.pass();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass on the timer; then the next, at the coming whole second. */
  private async pass(): Promise<void> {
    if (this.stopped) return;
    this.running = this.checkBuiltins().then(() => this.tick()).catch((err) => this.onError(err));
    await this.running;
    this.running = null;
    if (this.stopped) return;
    const wait = MAX_TICK_MS - (this.clock.now() % MAX_TICK_MS);
    this.timer = setTimeout(() => void this.pass(), wait);
  }

  private async checkBuiltins(): Promise<void> {
    if (this.clock.now() < this.builtinsCheckAt) return;
    this.builtinsCheckAt = this.clock.now() + BUILTINS_CHECK_MS;
    const created = await this.ensureBuiltins();
    if (created.length > 0) console.error(`spool scheduler: built-in schedules were missing from the store and are back: ${created.join(", ")}`);
  }

  private async advance(s: Schedule, now: number): Promise<FireReport[]> {
    const store = this.service.store;
    let previousJobUnfinished = false;
    if (s.overlap === "skip" && s.lastJobId !== null) {
      const previous = await store.jobGet({ id: s.lastJobId });
      previousJobUnfinished = previous !== null && !isFinal(previous.state);
    }
    const plan = planDueFire(s, now, previousJobUnfinished);
    const job = plan.fireTime === null ? null : fireJob(s, plan.fireTime, (await this.service.queueConfig(s.queue)).defaults, now);
    const outcome = await store.scheduleFire({
      name: s.name,
      expectedRevision: s.revision,
      expectedNextFireAt: s.nextFireAt,
      nextFireAt: plan.nextFireAt,
      job,
      runs: plan.runs,
      historyKeep: this.historyKeep,
      now,
    });
    if (!outcome) return [];
    if (outcome.job) this.service.wakeups.wake(s.queue);
    return plan.runs.map((run) => ({
      schedule: s.name,
      kind: run.kind,
      fireTime: run.fireTime,
      count: run.count ?? 1,
      jobId: run.kind === "fired" ? (outcome.job?.job.id ?? null) : (run.jobId ?? null),
    }));
  }
}
