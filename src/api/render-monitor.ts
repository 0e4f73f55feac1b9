/** Monitoring objects as the HTTP API shows them: times in ISO 8601. */
import type { LaneView, MonitorEvent } from "../core/monitor-store.ts";
import { renderAlert } from "../monitor/channels/channel.ts";
import type { HealthReport } from "../monitor/health.ts";
import type { StatsSnapshot } from "../monitor/stats.ts";

import { iso } from "../core/iso-time.ts";

// Events come in bursts that share a millisecond: keep the last rendering.
let lastAt = NaN;
let lastIso = "";
function eventTime(ms: number): string {
  if (ms !== lastAt) {
    lastAt = ms;
    lastIso = iso(ms);
  }
  return lastIso;
}

export { renderAlert };

export function renderStats(s: StatsSnapshot) {
  return { ...s, at: iso(s.at) };
}

export function renderHealth(h: HealthReport) {
  return { ...h, at: iso(h.at), alerts: h.alerts.map(renderAlert) };
}

export function renderLane(l: LaneView) {
  return { ...l, since: iso(l.since), lastError: l.lastError && { ...l.lastError, at: iso(l.lastError.at) } };
}

/** An event's data: job events carry the job's coordinates, alert events the alert. Built flat: streams render many. */
export function renderEvent(e: MonitorEvent, extra?: Record<string, unknown>) {
  if (e.type.startsWith("alert.")) {
    return { id: e.id, type: e.type, at: iso(e.at), queue: e.queue, alert: renderAlert(e.data as Parameters<typeof renderAlert>[0]), ...extra };
  }
  const data = {
    id: e.id, type: e.type, at: eventTime(e.at), queue: e.queue, jobId: e.jobId, key: e.key, state: e.state, prevState: e.prevState,
    attempt: e.attempt, errorType: e.errorType, durationMs: e.durationMs,
  };
  return extra ? { ...data, ...extra } : data;
}
