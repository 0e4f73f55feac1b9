/** The push dispatcher driven by explicit scans: targets added, changed and removed; stop with a grace period. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { TestClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { PushDispatcher } from "../src/workers/push-dispatcher.ts";
import { WorkerRegistry } from "../src/workers/worker-registry.ts";
import { tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

let dir: string;
let service: QueueService;
let dispatcher: PushDispatcher;
let registry: WorkerRegistry;
let receiver: Server<undefined>;
let hits: string[];
let answer: (path: string) => Response | Promise<Response>;

beforeEach(async () => {
  dir = tempDir("spool-push-");
  const store = new SqliteStore({ path: join(dir, "spool.db") });
  const clock = new TestClock(Date.now());
  service = new QueueService({ store, clock });
  // A scan interval far longer than any test: every scan here is an explicit one.
  registry = new WorkerRegistry({ store, clock });
  dispatcher = new PushDispatcher({ service, registry, scanMs: 3_600_000 });
  await dispatcher.start();
  hits = [];
  answer = () => Response.json({ ok: true });
  receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      const path = new URL(req.url).pathname;
      hits.push(path);
      return answer(path);
    },
  });
});

afterEach(async () => {
  await dispatcher.stop(0);
  await service.stop();
  await service.store.close();
  receiver.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

async function setTarget(queue: string, target: { url: string; concurrency?: number } | null) {
  const current = await service.getQueue(queue);
  await service.putQueue(queue, { ...current, target });
  await dispatcher.scan();
}

const stateOf = async (id: string) => (await service.getJob(id)).state;

test("a target set, changed and removed takes effect at the next scan", async () => {
  await setTarget("hooks", { url: `${receiver.url}a` });
  const first = (await service.enqueue("hooks", { payload: 1 })).job;
  await waitFor(async () => (await stateOf(first.id)) === "completed", 5000, "the first delivery");

  await setTarget("hooks", { url: `${receiver.url}b` });
  const second = (await service.enqueue("hooks", { payload: 2 })).job;
  await waitFor(async () => (await stateOf(second.id)) === "completed", 5000, "the second delivery");
  expect(hits).toEqual(["/a", "/b"]);

  await setTarget("hooks", null);
  const third = (await service.enqueue("hooks", { payload: 3 })).job;
  const claimed = await service.claim({ queue: "hooks", workerId: "puller", max: 1 });
  expect(claimed.map((j) => j.id)).toEqual([third.id]);
  expect(hits).toEqual(["/a", "/b"]);
});

test("stop(grace) lets deliveries finish within the grace period and gives back the rest", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  answer = async (path) => {
    if (path === "/stuck") await new Promise(() => {});
    await released;
    return Response.json({ done: path });
  };
  await setTarget("quick", { url: `${receiver.url}quick` });
  await setTarget("stuck", { url: `${receiver.url}stuck` });
  const quick = (await service.enqueue("quick", { payload: 1 })).job;
  const stuck = (await service.enqueue("stuck", { payload: 1 })).job;
  await waitFor(() => hits.length === 2, 5000, "both deliveries in flight");
  const stopping = dispatcher.stop(300);
  release();
  await stopping;
  expect(await service.getJob(quick.id)).toMatchObject({ state: "completed", result: { done: "/quick" } });
  const back = await service.getJob(stuck.id);
  expect(back).toMatchObject({ state: "waiting", attempts: 1 });
  expect(back.errors[0]).toMatchObject({ type: "shutdown" });
});

test("an operator cannot shut a push worker down: the request is refused (409) and deliveries go on", async () => {
  await setTarget("hooks", { url: `${receiver.url}hooks` });
  expect(dispatcher.delivering).toEqual(["hooks"]);
  const first = (await service.enqueue("hooks", { payload: 1 })).job;
  await waitFor(async () => (await stateOf(first.id)) === "completed", 5000, "the first delivery");
  const push = (await registry.list()).find((w) => w.kind === "push")!;
  expect(push).toMatchObject({ queues: ["hooks"], processed: 1 });
  // Shut down, its queue would stall until a restart: pausing the queue is how deliveries stop.
  await expect(registry.requestShutdown(push.id)).rejects.toMatchObject({ code: "conflict", status: 409 });
  await dispatcher.scan();
  expect(dispatcher.delivering).toEqual(["hooks"]);
  const second = (await service.enqueue("hooks", { payload: 2 })).job;
  await waitFor(async () => (await stateOf(second.id)) === "completed", 5000, "the second delivery");
  expect(hits).toEqual(["/hooks", "/hooks"]);
});

