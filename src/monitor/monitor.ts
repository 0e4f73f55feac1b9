/** Monitor: spool's monitoring for one store — stats, health, alerts and their channels, reports, metrics, events. */
import type { Clock } from "../core/clock.ts";
import { validationFailed } from "../core/errors.ts";
import type { Alert, AlertState, BlockedLanes, ErrorFailure, LaneView, MonitorEvent, SeriesPoint, StoredReport } from "../core/monitor-store.ts";
import type { Store } from "../core/store.ts";
import { localTimezone, scheduleOfTask } from "../scheduler/builtins.ts";
import type { AlertChannel } from "./channels/channel.ts";
import { logChannel } from "./channels/log-channel.ts";
import { Notifier } from "./channels/notifier.ts";
import { webhookChannel } from "./channels/webhook-channel.ts";
import { yesterday } from "./calendar.ts";
import { buildDailyReport, DAILY, saveDailyReport, type DailyReport } from "./daily-report.ts";
import { errorGroups, type ErrorGroups } from "./error-groups.ts";
import { EventFeed } from "./event-feed.ts";
import { healthReport, type HealthReport } from "./health.ts";
import { healthTick, type HealthTickResult } from "./health-tick.ts";
import { Metrics } from "./metrics.ts";
import { DEFAULT_MONITOR_CONFIG, type MonitorConfig } from "./monitor-config.ts";
import { operatorSeries, statsSnapshot, zeroCounters, type StatsSnapshot } from "./stats.ts";

export type MonitorOptions = {
  store: Store;
  clock: Clock;
  /** The data folder: alert logs go to logs/, reports to reports/daily/, its volume is checked. */
  dataDir: string | null;
  config?: MonitorConfig;
  /** Stale completes and fails refused so far (QueueService.refusedCompletions), for /metrics. */
  refusedCompletions?: () => number;
  /** Channels to use instead of the log file and the configured webhooks. */
  channels?: AlertChannel[];
};

export class Monitor {
  readonly store: Store;
  readonly clock: Clock;
  readonly dataDir: string | null;
  readonly config: MonitorConfig;
  readonly notifier: Notifier;
  /** Queues seen with runnable jobs that no known worker takes, and since when (worker_down waits workerDownMs from then). */
  private readonly unserved = new Map<string, number>();
  readonly feed: EventFeed;
  readonly metrics: Metrics;

  constructor(o: MonitorOptions) {
    this.store = o.store;
    this.clock = o.clock;
    this.dataDir = o.dataDir;
    this.config = o.config ?? DEFAULT_MONITOR_CONFIG;
    this.notifier = new Notifier(
      o.channels ?? [
        ...(o.dataDir ? [logChannel(o.dataDir)] : []),
        ...this.config.webhooks.map((w) => webhookChannel(w, this.config.webhookDelivery)),
      ],
    );
    this.feed = new EventFeed(o.store, o.clock);
    this.metrics = new Metrics({ store: o.store, refusedCompletions: o.refusedCompletions ?? (() => 0) });
  }

  stats(): Promise<StatsSnapshot> {
    return statsSnapshot(this.store, this.clock.now());
  }

  health(): Promise<HealthReport> {
    return healthReport({ store: this.store, now: this.clock.now(), dataDir: this.dataDir, thresholds: this.config.thresholds });
  }

  /**
   * Failures since `since` (epoch ms; default the last day, at most seven days back) grouped by
   * queue and error type, of all queues or one: count, first/last seen, a series, a sample.
   */
  errorGroups(p: { since?: number; queue?: string } = {}): Promise<ErrorGroups> {
    return errorGroups({ store: this.store, now: this.clock.now(), since: p.since, queue: p.queue });
  }

  /**
   * Failed attempts of one queue and error type, newest first, `limit` at a time; pass the
   * previous page's `nextCursor` as `cursor` to read on (keyset over the event log's ids).
   */
  async errorFailures(p: { queue: string; type: string; cursor?: string; limit: number }): Promise<{ failures: ErrorFailure[]; nextCursor: string | null }> {
    const before = p.cursor === undefined ? undefined : Number(p.cursor);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) {
      throw validationFailed("cursor must be one given by a previous page", [{ path: "cursor", message: "is not a cursor of this list" }]);
    }
    const failures = await this.store.errorFailures({ queue: p.queue, type: p.type, beforeEventId: before, limit: p.limit });
    return { failures, nextCursor: failures.length === p.limit ? String(failures[failures.length - 1]!.eventId) : null };
  }

  /**
   * Counters of the operator's queues (or one queue) over the last `windowMs`, one point per `stepMs` (a whole
   * number of minutes), oldest first, with empty steps filled in: what a chart draws.
   */
  async series(p: { windowMs: number; stepMs: number; queue?: string }): Promise<SeriesPoint[]> {
    const now = this.clock.now();
    const to = Math.floor(now / p.stepMs) * p.stepMs + p.stepMs;
    const from = to - p.windowMs;
    const range = { from, to, stepMs: p.stepMs, now };
    // All queues: the operator's, as the totals count them (spool's own apart).
    const points = p.queue === undefined ? await operatorSeries(this.store, range) : await this.store.statsSeries({ ...range, queue: p.queue });
    const byStep = new Map(points.map((point) => [point.at, point]));
    const filled: SeriesPoint[] = [];
    for (let at = from; at < to; at += p.stepMs) filled.push(byStep.get(at) ?? { ...zeroCounters(), at });
    return filled;
  }

  /** Lanes of a queue (or its lane `key`) that are blocked or busy, blocked first. */
  lanes(p: { queue: string; key?: string; limit: number }): Promise<LaneView[]> {
    return this.store.lanesList({ ...p, now: this.clock.now() });
  }

  /** Alerts, newest first, optionally only firing or resolved ones. */
  alerts(p: { state?: AlertState; limit: number }): Promise<Alert[]> {
    return this.store.alertsList({ ...p, now: this.clock.now() });
  }

  /** Acknowledges an alert (the first acknowledgement is kept); null when unknown. */
  ackAlert(p: { id: string; by: string | null }): Promise<Alert | null> {
    return this.store.alertAck({ ...p, now: this.clock.now() });
  }

  /** A job's timeline: its newest `limit` events still in the log, oldest first (read by index). */
  jobTimeline(id: string, limit: number): Promise<MonitorEvent[]> {
    return this.store.jobEvents({ jobId: id, limit, now: this.clock.now() });
  }

  /** Id of the newest event in the log (0 when empty): where a follower starts. */
  latestEventId(): Promise<number> {
    return this.store.eventsLatestId({ now: this.clock.now() });
  }

  /** Blocked lanes per queue, with the oldest one's start. */
  blockedLanes(): Promise<BlockedLanes[]> {
    return this.store.lanesBlocked({ now: this.clock.now() });
  }

  /** Evaluates the alert rules and the health score now (what spool:health runs every 30 s, before it prunes). */
  healthTick(): Promise<HealthTickResult> {
    return healthTick({ store: this.store, now: this.clock.now(), config: this.config, dataDir: this.dataDir, notifier: this.notifier, unserved: this.unserved });
  }

  /** Builds, stores and writes the report of `date` (default: the day before `asOf`, or before now, in `timezone`). */
  async dailyReport(p: { date?: string; timezone?: string; asOf?: number } = {}): Promise<{ report: DailyReport; file: string | null }> {
    const now = this.clock.now();
    const timezone = p.timezone ?? (await this.reportTimezone());
    const report = await buildDailyReport({ store: this.store, date: p.date ?? yesterday(p.asOf ?? now, timezone), timezone, now, dataDir: this.dataDir });
    const file = await saveDailyReport({ store: this.store, report, dataDir: this.dataDir, now });
    return { report, file };
  }

  /** Dates of the stored daily reports, newest first, with when each was made. */
  reports(limit: number): Promise<{ date: string; createdAt: number }[]> {
    return this.store.reportsList({ kind: DAILY, limit });
  }

  /** The stored daily report of `date` (YYYY-MM-DD); null when none was made. */
  async report(date: string): Promise<(StoredReport & { body: DailyReport }) | null> {
    return (await this.store.reportGet({ kind: DAILY, date })) as (StoredReport & { body: DailyReport }) | null;
  }

  /** The zone reports count days in: the spool:daily-report schedule's time zone. */
  async reportTimezone(): Promise<string> {
    return (await this.store.scheduleGet({ name: scheduleOfTask("daily-report") }))?.timezone ?? localTimezone();
  }
}
