/** Alerts and stored reports on Redis: an alert is a hash of its fields, its lifecycle moves by script. */
import { randomUUID } from "node:crypto";
import type { Alert, AlertCondition, AlertState, AlertUpsert, StoredReport } from "../../core/monitor-store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import alertAckLua from "./lua/alert-ack.lua" with { type: "text" };
import alertResolveLua from "./lua/alert-resolve.lua" with { type: "text" };
import alertUpsertLua from "./lua/alert-upsert.lua" with { type: "text" };
import { monitorKeys } from "./monitor-keys.ts";

export const RECORD_SCRIPTS = { alertUpsert: alertUpsertLua, alertResolve: alertResolveLua, alertAck: alertAckLua };

const ALERT_ID = /^[1-9][0-9]{0,15}$/;

/** Nullable script arguments: "" for null, "=" and the value otherwise. */
const nullable = (v: string | number | null): string => (v === null ? "" : `=${v}`);

const numberOrNull = (s: string | undefined): number | null => (s === undefined ? null : Number(s));

function toAlert(id: string, flat: string[] | Record<string, string>): Alert {
  let h: Record<string, string>;
  if (Array.isArray(flat)) {
    h = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  } else {
    h = flat;
  }
  return {
    id,
    rule: h.rule!,
    subject: h.subject!,
    severity: h.severity as Alert["severity"],
    state: h.state as AlertState,
    message: h.message!,
    value: numberOrNull(h.value),
    threshold: numberOrNull(h.threshold),
    firstSeen: Number(h.firstSeen),
    lastSeen: Number(h.lastSeen),
    resolvedAt: numberOrNull(h.resolvedAt),
    ackedAt: numberOrNull(h.ackedAt),
    ackedBy: h.ackedBy ?? null,
  };
}

export async function alertUpsert(ctx: RedisContext, p: AlertCondition & { now: number }): Promise<AlertUpsert> {
  const [change, id, flat] = await ctx.scripts.run<[AlertUpsert["change"], string, string[]]>("alertUpsert", [
    randomUUID(), p.rule, p.subject, p.severity, p.message, nullable(p.value), nullable(p.threshold), p.now,
  ]);
  return { alert: toAlert(id, flat), change };
}

export async function alertResolve(ctx: RedisContext, p: { id: string; now: number }): Promise<Alert | null> {
  if (!ALERT_ID.test(p.id)) return null;
  const flat = await ctx.scripts.run<string[] | null>("alertResolve", [randomUUID(), p.id, p.now]);
  return flat ? toAlert(p.id, flat) : null;
}

export async function alertAck(ctx: RedisContext, p: { id: string; by: string | null; now: number }): Promise<Alert | null> {
  if (!ALERT_ID.test(p.id)) return null;
  const flat = await ctx.scripts.run<string[] | null>("alertAck", [p.id, nullable(p.by), p.now]);
  return flat ? toAlert(p.id, flat) : null;
}

export async function alertGet(ctx: RedisContext, p: { id: string }): Promise<Alert | null> {
  if (!ALERT_ID.test(p.id)) return null;
  const h = await ctx.redis.hgetall(monitorKeys(ctx.keys).alert(p.id));
  return h.state === undefined ? null : toAlert(p.id, h);
}

/** Alerts by id, read in one round trip; ids whose alert is gone are left out. */
async function alertsOf(ctx: RedisContext, ids: string[]): Promise<Alert[]> {
  if (!ids.length) return [];
  const k = monitorKeys(ctx.keys);
  const pipe = ctx.redis.pipeline();
  for (const id of ids) pipe.hgetall(k.alert(id));
  const hashes = (await answersOf(pipe)) as Record<string, string>[];
  return hashes.flatMap((hash, i) => (hash.state === undefined ? [] : [toAlert(ids[i]!, hash)]));
}

/** Newest first; firing alerts are found through their index, the others by walking down the ids. */
export async function alertsList(ctx: RedisContext, p: { state?: AlertState; limit: number }): Promise<Alert[]> {
  const k = monitorKeys(ctx.keys);
  const limit = Math.max(0, Math.floor(p.limit));
  if (limit === 0) return [];
  if (p.state === "firing") {
    const ids = (await ctx.redis.hvals(k.alertsFiring)).sort((a, b) => Number(b) - Number(a)).slice(0, limit);
    return (await alertsOf(ctx, ids)).filter((a) => a.state === "firing");
  }
  const out: Alert[] = [];
  let max = "+inf";
  while (out.length < limit) {
    const want: number = p.state === undefined ? limit - out.length : Math.max(100, limit - out.length);
    const ids: string[] = await ctx.redis.zrevrangebyscore(k.alertsOrder, max, "-inf", "LIMIT", 0, want);
    for (const alert of await alertsOf(ctx, ids)) {
      if (p.state !== undefined && alert.state !== p.state) continue;
      out.push(alert);
      if (out.length === limit) return out;
    }
    if (ids.length < want) return out;
    max = `(${ids[ids.length - 1]}`;
  }
  return out;
}

export async function reportPut(ctx: RedisContext, p: { kind: string; date: string; body: unknown; now: number }): Promise<void> {
  const k = monitorKeys(ctx.keys);
  const answers = await ctx.redis
    .multi()
    .hset(k.reports(p.kind), p.date, JSON.stringify(p.body))
    .hset(k.reportsCreated(p.kind), p.date, String(p.now))
    .exec();
  for (const [err] of answers ?? []) if (err) throw err;
}

export async function reportGet(ctx: RedisContext, p: { kind: string; date: string }): Promise<StoredReport | null> {
  const k = monitorKeys(ctx.keys);
  const answers = (await ctx.redis.multi().hget(k.reports(p.kind), p.date).hget(k.reportsCreated(p.kind), p.date).exec()) ?? [];
  const [body, createdAt] = answers.map(([err, value]) => {
    if (err) throw err;
    return value as string | null;
  });
  if (body == null) return null;
  return { kind: p.kind, date: p.date, body: JSON.parse(body), createdAt: Number(createdAt) };
}

/** Dates of stored reports of a kind, newest first. */
export async function reportsList(ctx: RedisContext, p: { kind: string; limit: number }): Promise<{ date: string; createdAt: number }[]> {
  const created = await ctx.redis.hgetall(monitorKeys(ctx.keys).reportsCreated(p.kind));
  return Object.entries(created)
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .slice(0, Math.max(0, p.limit))
    .map(([date, at]) => ({ date, createdAt: Number(at) }));
}
