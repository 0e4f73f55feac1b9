/**
 * RedisMonitor: counts, the event log, aggregates, alerts, reports and the lanes view (MonitorStore)
 * on Redis. Job scripts append the events; aggregate reads fold the log first, as on SQLite.
 */
import type {
  Alert, AlertCondition, AlertEventType, AlertState, AlertUpsert, BlockedLanes, ErrorCount, ErrorFailure, ErrorMinute, ErrorSample,
  EventFilters, EventsPage, LaneView, MonitorEvent, MonitorStore, QueueHistogram, QueueStats, SeriesPoint, SlowJob, StatsRange, StoredReport,
} from "../../core/monitor-store.ts";
import type { StateCounts } from "../../core/queue-config.ts";
import type { RedisContext } from "./context.ts";
import * as events from "./monitor-events.ts";
import { countsTotal, lanesBlocked, lanesList } from "./monitor-lanes.ts";
import * as records from "./monitor-records.ts";
import * as stats from "./monitor-stats.ts";
import { FOLD_SCRIPTS, statsFold } from "./stats-fold.ts";

export class RedisMonitor implements MonitorStore {
  constructor(private readonly ctx: RedisContext) {
    ctx.scripts.add({ ...events.EVENT_SCRIPTS, ...FOLD_SCRIPTS, ...stats.STATS_SCRIPTS, ...records.RECORD_SCRIPTS });
  }

  async countsTotal(_p: { now: number }): Promise<{ total: StateCounts; queues: Record<string, StateCounts> }> {
    return countsTotal(this.ctx);
  }

  async statsTotals(p: StatsRange): Promise<QueueStats[]> {
    await statsFold(this.ctx);
    return stats.statsTotals(this.ctx, p);
  }

  async statsSeries(p: StatsRange & { stepMs: number; queue?: string }): Promise<SeriesPoint[]> {
    await statsFold(this.ctx);
    return stats.statsSeries(this.ctx, p);
  }

  async statsHistogram(p: StatsRange & { metric: "run" | "wait" }): Promise<QueueHistogram[]> {
    await statsFold(this.ctx);
    return stats.statsHistogram(this.ctx, p);
  }

  async statsErrors(p: StatsRange): Promise<ErrorCount[]> {
    await statsFold(this.ctx);
    return stats.statsErrors(this.ctx, p);
  }

  async statsErrorMinutes(p: StatsRange & { queue?: string }): Promise<ErrorMinute[]> {
    await statsFold(this.ctx);
    return stats.statsErrorMinutes(this.ctx, p);
  }

  async errorSample(p: { queue: string; type: string }): Promise<ErrorSample | null> {
    return events.errorSample(this.ctx, p);
  }

  async errorFailures(p: { queue: string; type: string; beforeEventId?: number; limit: number }): Promise<ErrorFailure[]> {
    return events.errorFailures(this.ctx, p);
  }

  async statsSlowest(p: StatsRange & { limit: number }): Promise<SlowJob[]> {
    await statsFold(this.ctx);
    return stats.statsSlowest(this.ctx, p);
  }

  async historyPrune(p: { before: number; now: number }): Promise<number> {
    return stats.historyPrune(this.ctx, p);
  }

  async eventsAfter(p: { afterId: number; filters: EventFilters; limit: number; now: number }): Promise<EventsPage> {
    return events.eventsAfter(this.ctx, p);
  }

  async jobEvents(p: { jobId: string; limit: number; now: number }): Promise<MonitorEvent[]> {
    return events.jobEvents(this.ctx, p);
  }

  async eventsLatestId(_p: { now: number }): Promise<number> {
    return events.latestEventId(this.ctx);
  }

  async eventAppend(p: { type: AlertEventType; queue: string | null; data: unknown; now: number }): Promise<number> {
    return events.eventAppend(this.ctx, p);
  }

  async eventsPrune(p: { keep: number; limit: number; now: number }): Promise<number> {
    await statsFold(this.ctx);
    return events.eventsPruneBatch(this.ctx, p);
  }

  async alertUpsert(p: AlertCondition & { now: number }): Promise<AlertUpsert> {
    return records.alertUpsert(this.ctx, p);
  }

  async alertResolve(p: { id: string; now: number }): Promise<Alert | null> {
    return records.alertResolve(this.ctx, p);
  }

  async alertGet(p: { id: string }): Promise<Alert | null> {
    return records.alertGet(this.ctx, p);
  }

  async alertsList(p: { state?: AlertState; limit: number; now: number }): Promise<Alert[]> {
    return records.alertsList(this.ctx, p);
  }

  async alertAck(p: { id: string; by: string | null; now: number }): Promise<Alert | null> {
    return records.alertAck(this.ctx, p);
  }

  async reportPut(p: { kind: string; date: string; body: unknown; now: number }): Promise<void> {
    await records.reportPut(this.ctx, p);
  }

  async reportGet(p: { kind: string; date: string }): Promise<StoredReport | null> {
    return records.reportGet(this.ctx, p);
  }

  async reportsList(p: { kind: string; limit: number }): Promise<{ date: string; createdAt: number }[]> {
    return records.reportsList(this.ctx, p);
  }

  async lanesList(p: { queue: string; key?: string; limit: number; now: number }): Promise<LaneView[]> {
    return lanesList(this.ctx, p);
  }

  async lanesBlocked(_p: { now: number }): Promise<BlockedLanes[]> {
    return lanesBlocked(this.ctx);
  }
}
