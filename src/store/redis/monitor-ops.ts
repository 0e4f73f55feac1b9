/** RedisMonitor: counts, the event log, aggregates, alerts, reports and the lanes view (MonitorStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisMonitor {
  constructor(private readonly ctx: RedisContext) {}
}
