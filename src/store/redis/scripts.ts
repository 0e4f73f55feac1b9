/**
 * Running the store's Lua scripts: each operation is one script in lua/, run atomically by
 * Redis with the parts of the Lua library lua/lib/ (the shared job mechanics) it uses in front of it
 * (lua-lib.ts).
 *
 * Every script is called with KEYS[1] = the deployment's routing key (`{prefix}:ids`, which
 * puts the call on the slot of the prefix's hashtag) and ARGV[1] = `{prefix}:`; the script's
 * own arguments follow from ARGV[2]. Scripts go by EVALSHA, falling back to EVAL once when
 * Redis does not know the script yet (after a restart or a failover).
 */
import { createHash } from "node:crypto";
import type { Redis, Cluster } from "ioredis";
import type { Keys } from "./keys.ts";
import { withLib } from "./lua-lib.ts";

export type RedisClient = Redis | Cluster;

/** A Lua script's source, as imported from its file. */
export type ScriptSource = { name: string; lua: string };

type Loaded = { name: string; body: string; sha: string };

export class Scripts {
  private readonly loaded = new Map<string, Loaded>();

  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** Registers scripts by name; the parts of the Lua library (lua/lib/) each uses go in front of it. */
  add(sources: Record<string, string>): void {
    for (const [name, lua] of Object.entries(sources)) {
      const body = withLib(lua);
      this.loaded.set(name, { name, body, sha: createHash("sha1").update(body).digest("hex") });
    }
  }

  /** Runs a script with its own arguments (ARGV[2] on); the answer is what the script returns. */
  async run<T = unknown>(name: string, args: (string | number)[]): Promise<T> {
    const script = this.loaded.get(name);
    if (!script) throw new Error(`unknown Redis script ${name}`);
    const argv = [this.keys.base, ...args.map(String)];
    const route = this.keys.k("ids");
    try {
      return (await this.redis.evalsha(script.sha, 1, route, ...argv)) as T;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return (await this.redis.eval(script.body, 1, route, ...argv)) as T;
    }
  }
}
