/** What every part of the Redis store works with: the client, the key names and the scripts. */
import type { Keys } from "./keys.ts";
import type { RedisClient, Scripts } from "./scripts.ts";

export type RedisContext = { redis: RedisClient; keys: Keys; scripts: Scripts };

/**
 * Runs a pipeline and returns its answers in order, throwing the first error. ioredis puts a
 * command's failure (a connection lost midway, say) in that command's slot rather than
 * throwing, so a read that looked only at the values would take it for an empty answer.
 */
export async function answersOf(pipe: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<unknown[]> {
  return ((await pipe.exec()) ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
