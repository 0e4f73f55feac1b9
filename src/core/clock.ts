/** The clock every time-dependent decision reads, real in production and steerable in tests. */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; `advance` returns the new time. */
export class TestClock implements Clock {
  private ms: number;
  constructor(start: string | number = "2026-01-01T00:00:00Z") {
    this.ms = typeof start === "number" ? start : Date.parse(start);
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }
  set(at: string | number): void {
    this.ms = typeof at === "number" ? at : Date.parse(at);
  }
}
