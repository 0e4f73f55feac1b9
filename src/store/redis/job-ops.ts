/** RedisJobs: the job operations (JobStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisJobs {
  constructor(private readonly ctx: RedisContext) {}
}
