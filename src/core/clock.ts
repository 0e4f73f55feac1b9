/** The clock every time-dependent decision reads, real in production and steerable in tests. */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Calls back every so often; returns a function that stops the calls. */
export interface Timer {
  every(ms: number, fn: () => void): () => void;
}

export const systemTimer: Timer = {
  every(ms, fn) {
    const interval = setInterval(fn, ms);
    return () => clearInterval(interval);
  },
};

type Repeat = { at: number; ms: number; fn: () => void };

/**
 * A clock that only moves when told to; `advance` returns the new time. It is also a Timer:
 * moving it forward calls each repeat whose time has come, once per period passed, in time
 * order, with the clock showing that period's time.
 */
export class TestClock implements Clock, Timer {
  private ms: number;
  private repeats = new Set<Repeat>();
  constructor(start: string | number = "2026-01-01T00:00:00Z") {
    this.ms = typeof start === "number" ? start : Date.parse(start);
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): number {
    this.moveTo(this.ms + ms);
    return this.ms;
  }
  set(at: string | number): void {
    this.moveTo(typeof at === "number" ? at : Date.parse(at));
  }
  every(ms: number, fn: () => void): () => void {
    if (!(ms > 0)) throw new RangeError(`a repeat needs a period above 0 ms (got ${ms})`);
    const repeat = { at: this.ms + ms, ms, fn };
    this.repeats.add(repeat);
    return () => this.repeats.delete(repeat);
  }
  private moveTo(target: number): void {
    for (let due = this.nextDue(target); due; due = this.nextDue(target)) {
      this.ms = due.at;
      due.at += due.ms;
      due.fn();
    }
    this.ms = target;
  }
  private nextDue(target: number): Repeat | null {
    let next: Repeat | null = null;
    for (const r of this.repeats) if (r.at <= target && (!next || r.at < next.at)) next = r;
    return next;
  }
}
