/** Calendar days in a time zone: a day's [from, to) in epoch ms, the date of an instant, local hour labels. */
import { dateFormat } from "../core/date-format.ts";

function format(timezone: string): Intl.DateTimeFormat {
  return dateFormat("en-US", {
    timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

function localParts(ms: number, timezone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of format(timezone).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return parts;
}

/** Local time minus UTC at an instant, in ms. */
function offsetAt(ms: number, timezone: string): number {
  const p = localParts(ms, timezone);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - (ms - (((ms % 1000) + 1000) % 1000));
}

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `date` is a real YYYY-MM-DD calendar date. */
export function isDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  // A month or day out of range (2026-13-01) is an invalid Date, which has no ISO form.
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(date);
}

/** The instant local midnight begins `date` (YYYY-MM-DD) in the zone. */
export function dayStart(date: string, timezone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  const first = utcMidnight - offsetAt(utcMidnight, timezone);
  return utcMidnight - offsetAt(first, timezone);
}

/** The local date (YYYY-MM-DD) of an instant. */
export function dateOf(ms: number, timezone: string): string {
  const p = localParts(ms, timezone);
  return `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** [from, to) of a local day: 23, 24 or 25 hours. */
export function dayRange(date: string, timezone: string): { from: number; to: number } {
  return { from: dayStart(date, timezone), to: dayStart(addDays(date, 1), timezone) };
}

/** The local "HH:MM" of an instant. */
export function localTime(ms: number, timezone: string): string {
  const p = localParts(ms, timezone);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

/** The day before today in the zone: what a report run after midnight covers. */
export function yesterday(now: number, timezone: string): string {
  return addDays(dateOf(now, timezone), -1);
}
