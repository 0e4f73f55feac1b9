/** RedisSchedules: schedules, their fires and history, and retention's pruning (ScheduleStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisSchedules {
  constructor(private readonly ctx: RedisContext) {}
}
