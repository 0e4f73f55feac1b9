/** RedisWorkers: the worker registry and push-target secrets (WorkerStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisWorkers {
  constructor(private readonly ctx: RedisContext) {}
}
