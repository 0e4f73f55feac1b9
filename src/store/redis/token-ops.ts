/** RedisTokens: API tokens and dashboard sessions (TokenStore, SessionStore) on Redis. */
import type { RedisContext } from "./context.ts";

export class RedisTokens {
  constructor(private readonly ctx: RedisContext) {}
}
