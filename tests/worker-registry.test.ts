/** WorkerRegistry on a real store under a test clock: when a worker's sightings are written. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { TestClock } from "../src/core/clock.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { WorkerRegistry, type WorkerIdentity } from "../src/workers/worker-registry.ts";
import { tempDir } from "./helpers/server.ts";

let dir: string;
let store: SqliteStore;
let clock: TestClock;
let registry: WorkerRegistry;

beforeEach(() => {
  dir = tempDir("spool-registry-");
  store = new SqliteStore({ path: join(dir, "spool.db") });
  clock = new TestClock("2026-01-01T00:00:00Z");
  registry = new WorkerRegistry({ store, clock, refreshMs: 1000 });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const stored = async () => (await registry.get("w1"));

test("a sighting that describes the worker as before is written once per refresh; one that changes it, at once", async () => {
  const identity: WorkerIdentity = { id: "w1", kind: "http", name: "mailer", host: "box-7", queues: ["emails", "sms"], concurrency: 4 };
  await registry.seen(identity);
  const first = (await stored()).lastSeenAt;

  // The same description, in fresh objects as each request brings it; and one naming only the id.
  clock.advance(400);
  await registry.seen({ ...identity, queues: ["emails", "sms"] });
  await registry.seen({ id: "w1" });
  expect((await stored()).lastSeenAt).toBe(first);

  // Changed queues (order counts), name, host or concurrency: written at once.
  const changes: Partial<WorkerIdentity>[] = [{ queues: ["sms", "emails"] }, { name: "mailer-2" }, { host: "box-8" }, { concurrency: 8 }];
  for (const change of changes) {
    clock.advance(10);
    await registry.seen({ ...identity, ...change });
    expect(await stored()).toMatchObject({ lastSeenAt: clock.now(), ...change });
    // Seen again as it now is, within the refresh: not written.
    clock.advance(10);
    await registry.seen({ ...identity, ...change });
    expect((await stored()).lastSeenAt).toBe(clock.now() - 10);
  }

  // Past the refresh, the same description is written again.
  clock.advance(1000);
  await registry.seen({ ...identity, concurrency: 8 });
  expect((await stored()).lastSeenAt).toBe(clock.now());
});
