/** Names of the monitoring keys (keys.ts, Monitoring) for the TypeScript side; Lua builds the same from ARGV[1]. */
import type { Keys } from "./keys.ts";

export const monitorKeys = (keys: Keys) => ({
  events: keys.k("events"),
  eventsSeq: keys.k("events", "seq"),
  jobEvents: (jobId: string) => keys.k("job", jobId, "ev"),
  errors: (queue: string, type: string) => keys.k("errs", `${queue}|${type}`),
  fold: keys.k("fold"),
  minutes: keys.k("agg", "minutes"),
  counters: (minute: number) => keys.k("agg", minute),
  histogram: (minute: number, metric: "run" | "wait") => keys.k("agg", minute, metric),
  minuteErrors: (minute: number) => keys.k("agg", minute, "err"),
  slowHours: keys.k("slow", "hours"),
  slowest: (hour: number) => keys.k("slow", hour),
  alert: (id: string) => keys.k("alert", id),
  alertsFiring: keys.k("alerts", "firing"),
  alertsOrder: keys.k("alerts", "order"),
  reports: (kind: string) => keys.k("reports", kind),
  reportsCreated: (kind: string) => keys.k("reports", kind, "created"),
  queues: keys.k("queues"),
  counts: (queue: string) => keys.k("counts", queue),
  inQueue: (queue: string, what: string) => keys.k("q", `${queue}|${what}`),
  lane: (queue: string, key: string) => keys.k("lane", `${queue}|${key}`),
  laneWait: (queue: string, key: string) => keys.k("lanewait", `${queue}|${key}`),
  job: (id: string) => keys.k("job", id),
});

export type MonitorKeys = ReturnType<typeof monitorKeys>;

/** Splits a `<queue>|<rest>` hash field; a queue name never holds `|`. */
export function splitField(field: string): [queue: string, rest: string] {
  const bar = field.indexOf("|");
  return [field.slice(0, bar), field.slice(bar + 1)];
}

/** The event id of a stream entry id `<n>-1`. */
export const entryEventId = (entryId: string): number => Number(entryId.slice(0, entryId.indexOf("-")));

/** The stream entry id of event n. */
export const eventEntryId = (n: number): string => `${n}-1`;
