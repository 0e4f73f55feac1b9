/**
 * ScheduleService: the operations on schedules that the API and CLI call — create, edit,
 * pause, resume, delete, trigger now, preview and history. Validates, then calls the store
 * and turns its nulls into errors.
 */
import type { Clock } from "../core/clock.ts";
import { conflict, notFound, SpoolError, validationFailed } from "../core/errors.ts";
import type { EnqueueOutcome } from "../core/store.ts";
import type { QueueService } from "../core/queue-service.ts";
import type { Schedule, ScheduleDefinition, ScheduleRun } from "../core/schedule-store.ts";
import { BUILTIN_PREFIX } from "./builtins.ts";
import { fireJob, HISTORY_KEEP } from "./fire-plan.ts";
import { resolveSchedule, type ScheduleInput } from "./schedule-input.ts";
import { fireTimesAfter, isoInZone, nextFireAfter } from "./timing.ts";

export const MAX_PREVIEW = 100;
/**
 * How often an edit is retried when a fire or another server's edit moved the schedule on in
 * between; each retry waits a few milliseconds, at random, so servers racing for one schedule
 * take turns instead of colliding again.
 */
const EDIT_ATTEMPTS = 20;
const retryPause = () => new Promise<void>((resolve) => setTimeout(resolve, 2 + Math.random() * 20));

export type FirePreview = { at: number; local: string };

export class ScheduleService {
  private readonly clock: Clock;
  private readonly historyKeep: number;
  /** Per schedule, the changes made through this service, run one after another (see serial). */
  private readonly busy = new Map<string, Promise<void>>();
  /** Per schedule, the fire time of its last trigger through this service. */
  private readonly lastTriggered = new Map<string, number>();

  constructor(
    private readonly service: QueueService,
    options: { clock?: Clock; historyKeep?: number } = {},
  ) {
    this.clock = options.clock ?? service.clock;
    this.historyKeep = options.historyKeep ?? HISTORY_KEEP;
  }

  private get store() {
    return this.service.store;
  }

  async list(): Promise<Schedule[]> {
    return this.store.schedulesList();
  }

  async get(name: string): Promise<Schedule> {
    const schedule = await this.store.scheduleGet({ name });
    if (!schedule) throw notFound(`schedule ${name}`);
    return schedule;
  }

  /** Creates a schedule; 409 when the name is taken. Names starting "spool:" belong to spool. */
  async create(name: string, input: ScheduleInput): Promise<Schedule> {
    checkNotReserved(name);
    const def = resolveSchedule(name, input, null);
    const now = this.clock.now();
    const created = await this.store.scheduleCreate({ schedule: { ...def, builtin: false, nextFireAt: firstFire(def, now) }, now });
    if (!created) throw conflict(`schedule ${name} already exists (edit it with PUT)`);
    return created;
  }

  /**
   * Applies the fields given to the schedule (creating it when unknown). A change of timing
   * or a resume starts counting from now; other edits keep the pending fire time.
   */
  async put(name: string, input: ScheduleInput): Promise<{ schedule: Schedule; created: boolean }> {
    return this.edit(name, (current) => keepsItsTask(current, resolveSchedule(name, input, current)), async () => {
      try {
        return { schedule: await this.create(name, input), created: true };
      } catch (err) {
        // Created meanwhile (through another server): then this PUT edits it.
        if (err instanceof SpoolError && err.code === "conflict") return null;
        throw err;
      }
    });
  }

  /** Edits a schedule that exists (404 when it does not): a form saved after someone deleted its schedule must not bring it back. */
  async update(name: string, input: ScheduleInput): Promise<Schedule> {
    return (await this.edit(name, (current) => keepsItsTask(current, resolveSchedule(name, input, current)))).schedule;
  }

  async pause(name: string): Promise<Schedule> {
    return (await this.edit(name, (current) => ({ ...current, enabled: false }))).schedule;
  }

  async resume(name: string): Promise<Schedule> {
    return (await this.edit(name, (current) => ({ ...current, enabled: true }))).schedule;
  }

  /**
   * Runs `change` once the changes to the same schedule that came before it through this service
   * have settled: those never race each other for its revision, however many arrive at once
   * (twenty identical PUTs had all but one refused). Changes through other servers sharing the
   * store still can, and are retried against the revision (edit, trigger).
   */
  private serial<T>(name: string, change: () => Promise<T>): Promise<T> {
    const run = (this.busy.get(name) ?? Promise.resolve()).then(change);
    const settled = run.then(
      () => {},
      () => {},
    );
    this.busy.set(name, settled);
    void settled.then(() => this.busy.get(name) === settled && this.busy.delete(name));
    return run;
  }

  async delete(name: string): Promise<void> {
    const current = await this.get(name);
    if (current.builtin) throw conflict(`schedule ${name} is built in and cannot be deleted; pause it instead`);
    if (!(await this.store.scheduleDelete({ name, now: this.clock.now() }))) throw notFound(`schedule ${name}`);
  }

  /**
   * Fires the schedule now, whatever its timing, pause or overlap setting; its next fire
   * time stays as it was. Returns the job enqueued.
   */
  async trigger(name: string): Promise<EnqueueOutcome> {
    return this.serial(name, () => this.triggerNow(name));
  }

  private async triggerNow(name: string): Promise<EnqueueOutcome> {
    for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
      const s = await this.get(name);
      const now = this.clock.now();
      // A fire's time is its job's idempotency key: triggers within one millisecond each get a
      // time of their own, or the second would answer the first's job and still count as a fire.
      const fireTime = Math.max(now, (this.lastTriggered.get(name) ?? -Infinity) + 1);
      const job = fireJob(s, fireTime, (await this.service.queueConfig(s.queue)).defaults, now);
      const outcome = await this.store.scheduleFire({
        name, expectedRevision: s.revision, expectedNextFireAt: s.nextFireAt, nextFireAt: s.nextFireAt, job,
        runs: [{ kind: "fired", fireTime, manual: true }], historyKeep: this.historyKeep, now,
      });
      if (outcome) {
        this.lastTriggered.set(name, fireTime);
        this.service.wakeups.wake(s.queue);
        return outcome.job!;
      }
      await retryPause();
    }
    throw conflict(`schedule ${name} kept changing while it was being triggered; try again`);
  }

  /** The next `count` fire times after now, each also written in the schedule's time zone. */
  async preview(name: string, count = 10): Promise<FirePreview[]> {
    return previewFires(await this.get(name), this.clock.now(), count);
  }

  /**
   * The next `count` fires of timing not yet saved (what an add or edit form previews as it is
   * typed), each in its zone. A bad cron, interval or zone throws 400 naming the field.
   */
  previewTiming(timing: Pick<ScheduleInput, "cron" | "every" | "timezone">, count = 5): FirePreview[] {
    const def = resolveSchedule("preview", { cron: timing.cron, every: timing.every, timezone: timing.timezone, queue: "preview" }, null);
    return previewFires(def, this.clock.now(), count);
  }

  async history(name: string, limit = 50): Promise<ScheduleRun[]> {
    await this.get(name);
    return this.store.scheduleRunsList({ name, limit: Math.min(Math.max(limit, 1), this.historyKeep) });
  }

  /**
   * Read–change–write guarded by the schedule's revision, retried when a fire got in between.
   * `whenMissing` creates the schedule instead, or answers null when it appeared meanwhile.
   */
  private edit(
    name: string,
    change: (current: Schedule) => ScheduleDefinition,
    whenMissing?: () => Promise<{ schedule: Schedule; created: boolean } | null>,
  ): Promise<{ schedule: Schedule; created: boolean }> {
    return this.serial(name, () => this.editNow(name, change, whenMissing));
  }

  private async editNow(
    name: string,
    change: (current: Schedule) => ScheduleDefinition,
    whenMissing?: () => Promise<{ schedule: Schedule; created: boolean } | null>,
  ): Promise<{ schedule: Schedule; created: boolean }> {
    for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
      const current = await this.store.scheduleGet({ name });
      if (!current) {
        const made = whenMissing ? await whenMissing() : null;
        if (made) return made;
        if (!whenMissing) throw notFound(`schedule ${name}`);
        continue;
      }
      const next = change(current);
      const now = this.clock.now();
      const timingChanged = next.cron !== current.cron || next.every !== current.every || next.timezone !== current.timezone;
      const resumed = next.enabled && !current.enabled;
      const nextFireAt = !next.enabled ? null : timingChanged || resumed || current.nextFireAt === null ? firstFire(next, now) : current.nextFireAt;
      const schedule = await this.store.schedulePut({ schedule: next, nextFireAt, expectedRevision: current.revision, now });
      if (schedule) return { schedule, created: false };
      await retryPause();
    }
    throw conflict(`schedule ${name} kept changing while it was being edited; try again`);
  }
}

/** The fire times after `now`, each with its local form in the schedule's zone (DST included). */
export function previewFires(s: ScheduleDefinition, now: number, count: number): FirePreview[] {
  const n = Math.min(Math.max(Math.trunc(count), 1), MAX_PREVIEW);
  return fireTimesAfter(s, now, n).map((at) => ({ at, local: isoInZone(at, s.timezone) }));
}

function firstFire(def: ScheduleDefinition, now: number): number | null {
  return def.enabled ? nextFireAfter(def, now) : null;
}

function checkNotReserved(name: string): void {
  if (name.startsWith(BUILTIN_PREFIX)) {
    throw validationFailed(`schedule names starting "${BUILTIN_PREFIX}" belong to spool's built-in schedules`, [
      { path: "name", message: `must not start with "${BUILTIN_PREFIX}"` },
    ]);
  }
}

/**
 * A built-in schedule's queue and payload name the maintenance task it runs: changed, its jobs
 * would go where nothing runs them (and, skipping while the last is unfinished, stop it for
 * good), so only its timing, zone, options and pause may change.
 */
function keepsItsTask(current: Schedule, next: ScheduleDefinition): ScheduleDefinition {
  if (!current.builtin) return next;
  const changed = [
    ...(next.queue !== current.queue ? [{ path: "queue", message: `stays ${current.queue}` }] : []),
    ...(JSON.stringify(next.payload) !== JSON.stringify(current.payload) ? [{ path: "payload", message: `stays ${JSON.stringify(current.payload)}` }] : []),
  ];
  if (changed.length > 0) {
    throw validationFailed(`schedule ${current.name} is built in: its queue and payload name the maintenance task it runs and cannot change (its timing, time zone and pause can)`, changed);
  }
  return next;
}
