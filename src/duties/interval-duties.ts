/** Starts and stops the interval duties of one spool process. */
import { systemTimer, type Timer } from "../core/clock.ts";
import { quietLog } from "../quiet-log.ts";
import { intervalDuties } from "./all-duties.ts";
import type { DutyContext, IntervalDuty } from "./duty.ts";

export type IntervalDutiesOptions = {
  ctx: DutyContext;
  /** Real intervals by default; decisions inside a run read the service's clock either way. */
  timer?: Timer;
};

/**
 * Runs each duty once at start and then every period. A run still going when its next turn
 * comes lets that turn pass, so a slow store never piles runs up.
 */
export class IntervalDuties {
  private readonly ctx: DutyContext;
  private readonly duties: readonly IntervalDuty[];
  private readonly timer: Timer;
  /** One log for all: an outage every duty runs into is one line a minute, not one per duty. */
  private readonly log = quietLog("spool background duty:");
  private readonly running = new Map<string, Promise<void>>();
  private stops: (() => void)[] = [];

  constructor(o: IntervalDutiesOptions) {
    this.ctx = o.ctx;
    this.duties = intervalDuties;
    this.timer = o.timer ?? systemTimer;
  }

  start(): void {
    if (this.stops.length > 0) return;
    for (const duty of this.duties) {
      this.stops.push(this.timer.every(duty.trigger.everyMs, () => this.runOnce(duty)));
      this.runOnce(duty);
    }
  }

  /** Resolves once no run is in flight. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** No more runs; resolves once those in flight have finished. */
  async stop(): Promise<void> {
    for (const stop of this.stops) stop();
    this.stops = [];
    await this.idle();
  }

  private runOnce(duty: IntervalDuty): void {
    if (this.running.has(duty.name)) return;
    const run = duty
      .run(this.ctx)
      .then(() => {}, this.log)
      .finally(() => this.running.delete(duty.name));
    this.running.set(duty.name, run);
  }
}
