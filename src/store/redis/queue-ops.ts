/** RedisQueues: queues and their bulk actions (QueueStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisQueues {
  constructor(private readonly ctx: RedisContext) {}
}
