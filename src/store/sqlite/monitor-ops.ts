/** SqliteMonitor: the MonitorStore on bun:sqlite; aggregate reads fold the event log first. */
import type { Database } from "bun:sqlite";
import type {
  Alert, AlertCondition, AlertEventType, AlertState, AlertUpsert, BlockedLanes, ErrorCount, ErrorFailure, ErrorMinute, ErrorSample, EventFilters,
  EventsPage, LaneView, MonitorEvent,
  MonitorStore, QueueHistogram, QueueStats, SeriesPoint, SlowJob, StatsRange, StoredReport,
} from "../../core/monitor-store.ts";
import type { StateCounts } from "../../core/queue-config.ts";
import type { GroupCommit } from "./database.ts";
import { errorFailures, errorSample, eventAppend, eventsAfter, eventsPruneBatch, jobEvents } from "./monitor-events.ts";
import { countsTotal, lanesBlocked, lanesList } from "./monitor-lanes.ts";
import * as records from "./monitor-records.ts";
import * as stats from "./monitor-stats.ts";
import { foldBatch, foldCursor, latestEventId } from "./stats-fold.ts";

/** Rows deleted per transaction when pruning history. */
const PRUNE_BATCH = 5000;

export class SqliteMonitor implements MonitorStore {
  constructor(
    private readonly db: Database,
    private readonly writer: GroupCommit,
    /** The id the next event gets, inside a write (job changes hand them out: ChangeLog.eventId). */
    private readonly eventId: () => number | null,
  ) {}

  /**
   * Brings the aggregates up to the newest event as of the call, one bounded transaction at a
   * time (events appended meanwhile wait for the next fold rather than keep this one going).
   */
  async statsFold(): Promise<void> {
    const target = latestEventId(this.db);
    while (foldCursor(this.db) < target) {
      if ((await this.writer.write(() => foldBatch(this.db, target))) === 0) return;
    }
  }

  async countsTotal(_p: { now: number }): Promise<{ total: StateCounts; queues: Record<string, StateCounts> }> {
    return countsTotal(this.db);
  }

  async statsTotals(p: StatsRange): Promise<QueueStats[]> {
    await this.statsFold();
    return stats.statsTotals(this.db, p);
  }

  async statsSeries(p: StatsRange & { stepMs: number; queue?: string }): Promise<SeriesPoint[]> {
    await this.statsFold();
    return stats.statsSeries(this.db, p);
  }

  async statsHistogram(p: StatsRange & { metric: "run" | "wait" }): Promise<QueueHistogram[]> {
    await this.statsFold();
    return stats.statsHistogram(this.db, p);
  }

  async statsErrors(p: StatsRange): Promise<ErrorCount[]> {
    await this.statsFold();
    return stats.statsErrors(this.db, p);
  }

  async statsErrorMinutes(p: StatsRange & { queue?: string }): Promise<ErrorMinute[]> {
    await this.statsFold();
    return stats.statsErrorMinutes(this.db, p);
  }

  async errorSample(p: { queue: string; type: string }): Promise<ErrorSample | null> {
    return errorSample(this.db, p);
  }

  async errorFailures(p: { queue: string; type: string; beforeEventId?: number; limit: number }): Promise<ErrorFailure[]> {
    return errorFailures(this.db, p);
  }

  async statsSlowest(p: StatsRange & { limit: number }): Promise<SlowJob[]> {
    await this.statsFold();
    return stats.statsSlowest(this.db, p);
  }

  async historyPrune(p: { before: number; now: number }): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.writer.write(() => stats.historyPruneBatch(this.db, p.before, PRUNE_BATCH));
      total += n;
      if (n === 0) return total;
    }
  }

  async eventsAfter(p: { afterId: number; filters: EventFilters; limit: number; now: number }): Promise<EventsPage> {
    return eventsAfter(this.db, p);
  }

  async jobEvents(p: { jobId: string; limit: number; now: number }): Promise<MonitorEvent[]> {
    return jobEvents(this.db, p);
  }

  async eventsLatestId(_p: { now: number }): Promise<number> {
    return latestEventId(this.db);
  }

  async eventAppend(p: { type: AlertEventType; queue: string | null; data: unknown; now: number }): Promise<number> {
    return this.writer.write(() => eventAppend(this.db, { ...p, id: this.eventId() }));
  }

  async eventsPrune(p: { keep: number; limit: number; now: number }): Promise<number> {
    await this.statsFold();
    return this.writer.write(() => eventsPruneBatch(this.db, p));
  }

  async alertUpsert(p: AlertCondition & { now: number }): Promise<AlertUpsert> {
    return this.writer.write(() => records.alertUpsert(this.db, p));
  }

  async alertResolve(p: { id: string; now: number }): Promise<Alert | null> {
    return this.writer.write(() => records.alertResolve(this.db, p));
  }

  async alertGet(p: { id: string }): Promise<Alert | null> {
    return records.alertGet(this.db, p);
  }

  async alertsList(p: { state?: AlertState; limit: number; now: number }): Promise<Alert[]> {
    return records.alertsList(this.db, p);
  }

  async alertAck(p: { id: string; by: string | null; now: number }): Promise<Alert | null> {
    return this.writer.write(() => records.alertAck(this.db, p));
  }

  async reportPut(p: { kind: string; date: string; body: unknown; now: number }): Promise<void> {
    await this.writer.write(() => records.reportPut(this.db, p));
  }

  async reportGet(p: { kind: string; date: string }): Promise<StoredReport | null> {
    return records.reportGet(this.db, p);
  }

  async reportsList(p: { kind: string; limit: number }): Promise<{ date: string; createdAt: number }[]> {
    return records.reportsList(this.db, p);
  }

  async lanesList(p: { queue: string; key?: string; limit: number; now: number }): Promise<LaneView[]> {
    return lanesList(this.db, p);
  }

  async lanesBlocked(_p: { now: number }): Promise<BlockedLanes[]> {
    return lanesBlocked(this.db);
  }
}
