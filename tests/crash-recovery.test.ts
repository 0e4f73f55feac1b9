/** Durability: every enqueue that got a success answer is still there after `kill -9`. */
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tempDir } from "./helpers/server.ts";
import { postJson, spawnServe } from "./helpers/process.ts";

const SOURCE = ["bun", `${import.meta.dir}/../src/main.ts`];
const dataDir = tempDir("spool-crash-");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test("acknowledged enqueues survive SIGKILL and are all found on restart", async () => {
  const first = await spawnServe(SOURCE, ["--data", dataDir]);
  const acknowledged: string[] = [];
  let stop = false;
  // Eight producers enqueue as fast as they can; the server is killed while requests are in flight.
  const producers = Array.from({ length: 8 }, async (_, p) => {
    for (let i = 0; i < 2000 && !stop; i++) {
      try {
        const res = await postJson(`${first.url}/v1/queues/crash/jobs`, { payload: { p, i } });
        if (res.status === 201) acknowledged.push(res.body.id);
      } catch {
        return; // the connection died with the server
      }
    }
  });
  while (acknowledged.length < 300) await Bun.sleep(5);
  first.proc.kill("SIGKILL");
  stop = true;
  await Promise.all(producers);
  await first.proc.exited;
  expect(acknowledged.length).toBeGreaterThanOrEqual(300);

  const second = await spawnServe(SOURCE, ["--data", dataDir]);
  try {
    const found = new Set<string>();
    let cursor: string | null = null;
    do {
      const res = await fetch(`${second.url}/v1/jobs?queue=crash&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await res.json()) as { jobs: { id: string; state: string }[]; nextCursor: string | null };
      for (const job of page.jobs) found.add(job.id);
      cursor = page.nextCursor;
    } while (cursor);
    const missing = acknowledged.filter((id) => !found.has(id));
    expect(missing).toEqual([]);
    const queue = (await (await fetch(`${second.url}/v1/queues/crash`)).json()) as { counts: { waiting: number } };
    expect(queue.counts.waiting).toBe(found.size);
  } finally {
    second.proc.kill("SIGTERM");
    await second.proc.exited;
  }
});
