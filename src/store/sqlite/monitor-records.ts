/** Alerts and stored reports in SQLite. */
import type { Database } from "bun:sqlite";
import type { Alert, AlertCondition, AlertState, AlertUpsert, StoredReport } from "../../core/monitor-store.ts";

type AlertRow = {
  id: number; rule: string; subject: string; severity: string; state: string; message: string; value: number | null;
  threshold: number | null; first_seen: number; last_seen: number; resolved_at: number | null; acked_at: number | null;
  acked_by: string | null;
};

function toAlert(r: AlertRow): Alert {
  return {
    id: String(r.id),
    rule: r.rule,
    subject: r.subject,
    severity: r.severity as Alert["severity"],
    state: r.state as AlertState,
    message: r.message,
    value: r.value,
    threshold: r.threshold,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at,
    ackedAt: r.acked_at,
    ackedBy: r.acked_by,
  };
}

const alertId = (id: string): number | null => (/^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null);

export function alertUpsert(db: Database, p: AlertCondition & { now: number }): AlertUpsert {
  const current = db
    .query("SELECT * FROM alerts WHERE rule = ? AND subject = ? AND state = 'firing'")
    .get(p.rule, p.subject) as AlertRow | null;
  if (current) {
    const row = db
      .query("UPDATE alerts SET severity = ?, message = ?, value = ?, threshold = ?, last_seen = ? WHERE id = ? RETURNING *")
      .get(p.severity, p.message, p.value, p.threshold, p.now, current.id) as AlertRow;
    return { alert: toAlert(row), change: current.severity === p.severity ? "updated" : "escalated" };
  }
  const row = db
    .query(
      `INSERT INTO alerts (rule, subject, severity, state, message, value, threshold, first_seen, last_seen)
       VALUES (?, ?, ?, 'firing', ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(p.rule, p.subject, p.severity, p.message, p.value, p.threshold, p.now, p.now) as AlertRow;
  return { alert: toAlert(row), change: "fired" };
}

export function alertResolve(db: Database, p: { id: string; now: number }): Alert | null {
  const id = alertId(p.id);
  if (id === null) return null;
  const row = db
    .query("UPDATE alerts SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'firing' RETURNING *")
    .get(p.now, id) as AlertRow | null;
  return row ? toAlert(row) : null;
}

export function alertGet(db: Database, p: { id: string }): Alert | null {
  const id = alertId(p.id);
  const row = id === null ? null : (db.query("SELECT * FROM alerts WHERE id = ?").get(id) as AlertRow | null);
  return row ? toAlert(row) : null;
}

export function alertsList(db: Database, p: { state?: AlertState; limit: number }): Alert[] {
  const rows = db
    .query("SELECT * FROM alerts WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2")
    .all(p.state ?? null, p.limit) as AlertRow[];
  return rows.map(toAlert);
}

export function alertAck(db: Database, p: { id: string; by: string | null; now: number }): Alert | null {
  const id = alertId(p.id);
  if (id === null) return null;
  const row = db
    .query(
      `UPDATE alerts SET acked_by = CASE WHEN acked_at IS NULL THEN ?1 ELSE acked_by END, acked_at = COALESCE(acked_at, ?2)
       WHERE id = ?3 RETURNING *`,
    )
    .get(p.by, p.now, id) as AlertRow | null;
  return row ? toAlert(row) : null;
}

export function reportPut(db: Database, p: { kind: string; date: string; body: unknown; now: number }): void {
  db.query("INSERT OR REPLACE INTO reports (kind, date, body, created_at) VALUES (?, ?, ?, ?)")
    .run(p.kind, p.date, JSON.stringify(p.body), p.now);
}

export function reportGet(db: Database, p: { kind: string; date: string }): StoredReport | null {
  const row = db.query("SELECT * FROM reports WHERE kind = ? AND date = ?").get(p.kind, p.date) as
    | { kind: string; date: string; body: string; created_at: number }
    | null;
  return row ? { kind: row.kind, date: row.date, body: JSON.parse(row.body), createdAt: row.created_at } : null;
}

export function reportsList(db: Database, p: { kind: string; limit: number }): { date: string; createdAt: number }[] {
  return db
    .query("SELECT date, created_at AS createdAt FROM reports WHERE kind = ? ORDER BY date DESC LIMIT ?")
    .all(p.kind, p.limit) as { date: string; createdAt: number }[];
}
