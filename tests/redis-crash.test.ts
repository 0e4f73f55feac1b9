/**
 * A private redis-server with AOF (appendfsync everysec) is SIGKILLed and restarted while a
 * spool server runs under load: no acknowledged enqueue is lost, no job is handed out again
 * after its completion was acknowledged, and spool is ready again within 10 s by itself.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
import { redisAvailable } from "./helpers/redis.ts";
import { startRedis, type RedisServer } from "./helpers/redis-servers.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

if (await redisAvailable()) {
  let redis: RedisServer | null = null;
  let spool: ServeProcess | null = null;
  afterAll(async () => {
    spool?.proc.kill("SIGKILL");
    await redis?.stop();
  });

  test("Redis killed and restarted mid-load: nothing acknowledged is lost or run again, spool reconnects by itself", async () => {
    redis = await startRedis(["--appendonly", "yes", "--appendfsync", "everysec"]);
    spool = await spawnServe([process.execPath, MAIN], ["--data", tempDir("spool-redis-crash-"), "--redis", `redis://127.0.0.1:${redis.port}`]);
    const url = spool.url;
    const acknowledged = new Set<string>();
    const completedAt = new Map<string, number>();
    const claimedAfterCompletion: string[] = [];
    let stop = false;
    let seq = 0;

    const producer = async () => {
      for (let i = 0; i < 100_000 && !stop; i++) {
        try {
          const res = await postJson(`${url}/v1/queues/load/jobs`, { payload: { n: seq++ } });
          if (res.status === 201) acknowledged.add(res.body.id);
          else await Bun.sleep(20);
        } catch {
          await Bun.sleep(20);
        }
      }
    };
    const worker = async (w: number, until: () => boolean) => {
      for (let i = 0; i < 100_000 && !until(); i++) {
        try {
          // Short leases: a claim whose answer was lost in the outage comes back within seconds.
          const res = await postJson(`${url}/v1/queues/load/claim`, { workerId: `w${w}`, max: 5, waitMs: 0, leaseMs: 2000 });
          if (res.status !== 200) {
            await Bun.sleep(20);
            continue;
          }
          if (!res.body.jobs.length) await Bun.sleep(5);
          for (const job of res.body.jobs) {
            if (completedAt.has(job.id)) claimedAfterCompletion.push(job.id);
            // A worker resends a completion it got no answer to (same token: same success).
            for (let attempt = 0; attempt < 50; attempt++) {
              const done = await postJson(`${url}/v1/jobs/${job.id}/complete`, { token: job.lease.token }).catch(() => null);
              if (done?.status === 200) completedAt.set(job.id, Date.now());
              if (done && done.status !== 503) break;
              await Bun.sleep(100);
            }
          }
        } catch {
          await Bun.sleep(20);
        }
      }
    };

    const load = Promise.all([producer(), producer(), worker(1, () => stop), worker(2, () => stop)]);
    await Bun.sleep(1500);
    const before = acknowledged.size;
    await redis.stop();
    await Bun.sleep(500);
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    await redis.restart();
    const restartedAt = performance.now();
    let ready = false;
    while (!ready && performance.now() - restartedAt < 10_000) {
      ready = (await fetch(`${url}/readyz`)).status === 200;
      if (!ready) await Bun.sleep(100);
    }
    expect(ready).toBe(true);
    await Bun.sleep(1500);
    stop = true;
    await load;
    expect(before).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThan(before);

    // Drain what is left, then every acknowledged job must be there and completed.
    const drainUntil = performance.now() + 15_000;
    await worker(9, () => performance.now() > drainUntil || [...acknowledged].every((id) => completedAt.has(id)));
    const missing: string[] = [];
    for (const id of acknowledged) {
      const res = await fetch(`${url}/v1/jobs/${id}`);
      if (res.status === 404) missing.push(id);
    }
    expect(missing).toEqual([]);
    expect([...acknowledged].filter((id) => !completedAt.has(id))).toEqual([]);
    expect(claimedAfterCompletion).toEqual([]);
  }, 60_000);
}
