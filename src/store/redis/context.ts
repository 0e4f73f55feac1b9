/** What every part of the Redis store works with: the client, the key names and the scripts. */
import type { Keys } from "./keys.ts";
import type { RedisClient, Scripts } from "./scripts.ts";

export type RedisContext = { redis: RedisClient; keys: Keys; scripts: Scripts };
