/** Alert channels: where notices of alerts firing and resolving are sent. */
import { spanText } from "../../core/duration.ts";
import type { Alert } from "../../core/monitor-store.ts";

export type AlertNotice = { kind: "firing" | "resolved"; alert: Alert };

export type AlertChannel = {
  name: string;
  /** Delivers one notice; rejects when it finally could not. */
  send(notice: AlertNotice): Promise<void>;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One line a person reads: in a log file, or as a chat message. */
export function noticeText(n: AlertNotice): string {
  const a = n.alert;
  if (n.kind === "firing") return `[spool] FIRING ${a.severity} ${a.rule} (${a.subject}): ${a.message}`;
  // Its message says how things stood while it fired, not now.
  const lasted = a.resolvedAt === null ? "" : ` after ${spanText(Math.max(0, a.resolvedAt - a.firstSeen))}`;
  return `[spool] RESOLVED ${a.rule} (${a.subject})${lasted}; it had fired as: ${a.message}`;
}

/** An alert as JSON for outside readers: times in ISO 8601. */
export function renderAlert(a: Alert) {
  return {
    ...a,
    firstSeen: iso(a.firstSeen)!,
    lastSeen: iso(a.lastSeen)!,
    resolvedAt: iso(a.resolvedAt),
    ackedAt: iso(a.ackedAt),
  };
}
