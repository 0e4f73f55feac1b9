/** When a schedule fires: cron (croner, in the schedule's time zone) or a fixed interval, and previews. */
import { Cron } from "croner";
import { dateFormat } from "../core/date-format.ts";
import { parseDuration } from "../core/duration.ts";

export type Timing = { cron: string | null; every: string | null; timezone: string };

export const MIN_EVERY_MS = 1000;
export const MAX_EVERY_MS = 366 * 86_400_000;
/** Cron fire times counted one by one when working out what a long downtime missed; past this the count stops. */
export const MAX_COUNTED_FIRES = 1000;

/** Milliseconds of an interval written "30s", "5m", "1h", "1d"; null when not a whole number of seconds from 1 s to 366 d. */
export function parseEvery(text: string): number | null {
  if (!/[a-z]\s*$/i.test(text)) return null;
  const ms = parseDuration(text);
  if (ms === null || ms % 1000 !== 0 || ms < MIN_EVERY_MS || ms > MAX_EVERY_MS) return null;
  return ms;
}

/** A croner job that never runs by itself: it only answers questions about fire times. */
export function cronOf(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, mode: "5-or-6-parts" });
}

function everyMs(t: Timing): number {
  const ms = parseEvery(t.every ?? "");
  if (ms === null) throw new Error(`invalid interval "${t.every}"`);
  return ms;
}

/**
 * The first fire time strictly after `after`, or null when the cron never fires again.
 * Intervals run on whole multiples of the interval since the Unix epoch, so every
 * process computes the same fire times and "every: 1h" fires on the hour.
 */
export function nextFireAfter(t: Timing, after: number): number | null {
  if (t.cron === null) {
    const ms = everyMs(t);
    return Math.floor(after / ms) * ms + ms;
  }
  return cronOf(t.cron, t.timezone).nextRun(new Date(after))?.getTime() ?? null;
}

/** The next `n` fire times strictly after `after`. */
export function fireTimesAfter(t: Timing, after: number, n: number): number[] {
  if (t.cron === null) {
    const first = nextFireAfter(t, after)!;
    const ms = everyMs(t);
    return Array.from({ length: n }, (_, i) => first + i * ms);
  }
  return cronOf(t.cron, t.timezone).nextRuns(n, new Date(after)).map((d) => d.getTime());
}

export type DueFires = {
  /** The most recent fire time at or before now. */
  latest: number;
  /** The fire time before `latest` (null when `latest` is the only one due). */
  previous: number | null;
  /** How many fire times are due, `first` included (for cron, counted up to MAX_COUNTED_FIRES). */
  count: number;
};

/** The fire times from `first` (a due fire time) up to `now`. */
export function dueFires(t: Timing, first: number, now: number): DueFires {
  if (t.cron === null) {
    const ms = everyMs(t);
    const steps = Math.floor((now - first) / ms);
    const latest = first + steps * ms;
    return { latest, previous: steps > 0 ? latest - ms : null, count: steps + 1 };
  }
  const cron = cronOf(t.cron, t.timezone);
  let latest = first;
  let previous: number | null = null;
  let count = 1;
  for (;;) {
    const next = cron.nextRun(new Date(latest))?.getTime() ?? null;
    if (next === null || next > now) return { latest, previous, count };
    if (count === MAX_COUNTED_FIRES) {
      // Too many to walk one by one: ask croner for the last two directly.
      const [last, before] = cron.previousRuns(2, new Date(now + 1)).map((d) => d.getTime());
      return { latest: last!, previous: before ?? null, count };
    }
    previous = latest;
    latest = next;
    count++;
  }
}

/** ISO 8601 with the zone's offset, e.g. "2026-03-29T03:00:00+02:00" for Europe/Berlin. */
export function isoInZone(ms: number, timezone: string): string {
  const format = dateFormat("en-US", {
    timeZone: timezone, hourCycle: "h23", timeZoneName: "longOffset",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const parts = format.formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const offset = get("timeZoneName").replace(/^GMT/, "") || "+00:00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour")}:${get("minute")}:${get("second")}${offset}`;
}

/**
 * A time zone as the IANA database spells it ("europe/berlin" → "Europe/Berlin", "utc" →
 * "UTC"), or null for a name it does not know and for a bare offset such as "+02:00", which
 * would not follow daylight saving time (Etc/GMT-2 says the same and says what it is).
 */
export function canonicalTimezone(timezone: string): string | null {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
    return /^[+-]/.test(name) ? null : name;
  } catch {
    return null;
  }
}
