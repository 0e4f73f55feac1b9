/**
 * An event as an entry of the events stream. The fields every event has are packed into one
 * stream field, `e`, tab-separated ("" for none): at, type, queue, job, state, prev, attempt,
 * dur. The free-form ones, which may hold a tab, get a field of their own only when set: `k`
 * the job's key, `x` the error type, `d` the data (JSON). lua/lib/changes.lua (event_add) and
 * lua/event-append.lua write the same.
 *
 * One packed field instead of a field per value: a job's events are most of what a claim and a
 * completion cost inside redis-server, and each stream field is an argument to pass, store and
 * write to the append-only file.
 */
import type { JobState } from "../../core/job.ts";
import type { MonitorEvent } from "../../core/monitor-store.ts";
import { entryEventId } from "./monitor-keys.ts";

export type Entry = [id: string, fields: string[]];

const numberOrNull = (s: string | undefined): number | null => (s ? Number(s) : null);

/** The stream fields of an event, as event_add writes them. */
export function entryFields(e: Omit<MonitorEvent, "id">): string[] {
  const packed = [e.at, e.type, e.queue, e.jobId, e.state, e.prevState, e.attempt, e.durationMs].map((v) => (v === null ? "" : String(v)));
  const fields = ["e", packed.join("\t")];
  if (e.key !== null) fields.push("k", e.key);
  if (e.errorType !== null) fields.push("x", e.errorType);
  if (e.data !== null) fields.push("d", JSON.stringify(e.data));
  return fields;
}

/** A stream entry as an event; values the entry lacks are null. */
export function toEvent([entryId, flat]: Entry): MonitorEvent {
  let packed = "";
  let key: string | null = null;
  let errorType: string | null = null;
  let data: unknown = null;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = flat[i + 1]!;
    switch (flat[i]) {
      case "e": packed = value; break;
      case "k": key = value; break;
      case "x": errorType = value; break;
      case "d": data = JSON.parse(value); break;
    }
  }
  const [at, type, queue, job, state, prev, attempt, dur] = packed.split("\t");
  return {
    id: entryEventId(entryId),
    at: Number(at),
    type: type as MonitorEvent["type"],
    queue: queue || null,
    key,
    jobId: job || null,
    state: (state || null) as JobState | null,
    prevState: (prev || null) as JobState | null,
    attempt: numberOrNull(attempt),
    errorType,
    durationMs: numberOrNull(dur),
    data,
  };
}
