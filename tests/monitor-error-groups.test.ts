/** Error groups' window and series: whole minutes from `since` to now, at most 24 points, every minute in exactly one point. */
import { describe, expect, test } from "bun:test";
import { SpoolError } from "../src/core/errors.ts";
import { ERROR_SERIES_POINTS, errorWindow, groupErrorMinutes } from "../src/monitor/error-groups.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse("2026-01-05T12:34:56Z");
const NOW_MINUTE = Date.parse("2026-01-05T12:34:00Z");

describe("errorWindow", () => {
  test("by default: the last 24 h in whole minutes, the current one included, in 24 hourly points", () => {
    expect(errorWindow(NOW)).toEqual({ since: NOW_MINUTE + MINUTE - 24 * HOUR, until: NOW, stepMs: HOUR, points: 24 });
  });

  test("since starts at its minute; the step is whole minutes; never more than 24 points", () => {
    expect(errorWindow(NOW, NOW)).toEqual({ since: NOW_MINUTE, until: NOW, stepMs: MINUTE, points: 1 });
    expect(errorWindow(NOW, NOW - 10 * MINUTE)).toMatchObject({ since: NOW_MINUTE - 10 * MINUTE, stepMs: MINUTE, points: 11 });
    for (const back of [1, 59, 61, 1439, 1440, 1441, 5000, 7 * 1440]) {
      const w = errorWindow(NOW, NOW - back * MINUTE);
      expect(w.stepMs % MINUTE).toBe(0);
      expect(w.points).toBeGreaterThanOrEqual(1);
      expect(w.points).toBeLessThanOrEqual(ERROR_SERIES_POINTS);
      // The points cover every minute up to the current one, and the last point starts in the window.
      expect(w.since + w.points * w.stepMs).toBeGreaterThan(NOW_MINUTE);
      expect(w.since + (w.points - 1) * w.stepMs).toBeLessThanOrEqual(NOW_MINUTE);
    }
  });

  test("a since in the future or more than 7 days (and a minute of slack) back is refused, naming since", () => {
    for (const since of [NOW + 1, NOW - 7 * 24 * HOUR - 60_001, Number.NaN]) {
      let caught: unknown;
      try {
        errorWindow(NOW, since);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SpoolError);
      expect((caught as SpoolError).details).toEqual([expect.objectContaining({ path: "since" })]);
    }
    expect(errorWindow(NOW, NOW - 7 * 24 * HOUR).points).toBe(24);
    // Asked for seven days a moment before the window is made: still seven days, not refused.
    expect(errorWindow(NOW, NOW - 7 * 24 * HOUR - 30_000).since).toBe(errorWindow(NOW, NOW - 7 * 24 * HOUR).since);
  });
});

describe("groupErrorMinutes", () => {
  test("sums by queue and type into the step holding each minute; most failures first, then the most recent", () => {
    const w = errorWindow(NOW, NOW - 59 * MINUTE);
    expect(w).toMatchObject({ stepMs: 3 * MINUTE, points: 20 });
    const groups = groupErrorMinutes(
      [
        { minute: w.since, queue: "a", type: "x", n: 2 },
        { minute: w.since + 2 * MINUTE, queue: "a", type: "x", n: 1 },
        { minute: w.since + 3 * MINUTE, queue: "a", type: "x", n: 4 },
        { minute: w.since + 10 * MINUTE, queue: "b", type: "x", n: 1 },
        { minute: NOW_MINUTE, queue: "a", type: "y", n: 1 },
      ],
      w,
    );
    expect(groups.map((g) => [g.queue, g.type, g.count, g.firstSeen - w.since, g.lastSeen - w.since])).toEqual([
      ["a", "x", 7, 0, 3 * MINUTE],
      ["a", "y", 1, NOW_MINUTE - w.since, NOW_MINUTE - w.since],
      ["b", "x", 1, 10 * MINUTE, 10 * MINUTE],
    ]);
    expect(groups[0]!.series.slice(0, 3)).toEqual([
      { at: w.since, n: 3 },
      { at: w.since + 3 * MINUTE, n: 4 },
      { at: w.since + 6 * MINUTE, n: 0 },
    ]);
    expect(groups[1]!.series.at(-1)).toEqual({ at: w.since + 19 * 3 * MINUTE, n: 1 });
    expect(groups.every((g) => g.series.length === 20)).toBe(true);
  });
});
