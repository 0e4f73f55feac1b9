/**
 * Store contract: the worker registry (sightings, fields kept, shutdown requests and their
 * forgetting, listing, pruning, figures that follow a worker's jobs) and push targets' secrets.
 */
import { expect } from "bun:test";
import type { WorkerIdentity, WorkerRecord } from "../../src/core/worker-store.ts";
import type { ContractCase, Ctx } from "./harness.ts";

/** How long a worker may be away and still be the same run of it (the registry's online window). */
const FORGET_MS = 30_000;

async function seen(t: Ctx, id: string, identity: Omit<WorkerIdentity, "id"> = {}, now = t.now()) {
  return t.store.workerSeen({ id, ...identity, forgetShutdownAfterMs: FORGET_MS, now });
}

/** A worker's figures as workerGet reads them; workersList must agree. */
async function figures(t: Ctx, id: string) {
  const worker = await t.store.workerGet({ id, now: t.now() });
  expect(worker).not.toBeNull();
  const listed = (await t.store.workersList({ now: t.now() })).find((w) => w.id === id);
  expect(listed).toEqual(worker!);
  return { active: worker!.active, processed: worker!.processed, failed: worker!.failed };
}

/** Enqueues `n` jobs to q that retry at once when they fail. */
async function jobs(t: Ctx, n: number) {
  for (let i = 0; i < n; i++) await t.enqueue("q", { payload: i, backoff: { type: "fixed", delayMs: 0 } });
}

async function ensure(t: Ctx, queue: string, secret: string) {
  return t.store.targetSecretEnsure({ queue, secret, now: t.now() });
}

async function rotate(t: Ctx, queue: string, secret: string) {
  return t.store.targetSecretRotate({ queue, secret, now: t.now() });
}

export function workersSecretsContract(it: ContractCase): void {
  it("a worker seen for the first time is registered with what it declares and no figures", async (t) => {
    const identity = { kind: "http" as const, name: "mailer", host: "box-7", queues: ["emails", "sms"], concurrency: 4 };
    expect(await seen(t, "mailer-1", identity)).toEqual({ shutdownRequested: false });
    expect(await t.store.workerGet({ id: "mailer-1", now: t.now() })).toEqual({
      id: "mailer-1", ...identity, active: 0, processed: 0, failed: 0, firstSeenAt: t.now(), lastSeenAt: t.now(), shutdownRequestedAt: null,
    });
    await seen(t, "bare");
    expect(await t.store.workerGet({ id: "bare", now: t.now() })).toEqual({
      id: "bare", kind: "http", name: null, host: null, queues: [], concurrency: null,
      active: 0, processed: 0, failed: 0, firstSeenAt: t.now(), lastSeenAt: t.now(), shutdownRequestedAt: null,
    });
    expect(await t.store.workerGet({ id: "nobody", now: t.now() })).toBeNull();
  });

  it("seeing a worker again changes what it declares; fields left out keep theirs and lastSeenAt never moves back", async (t) => {
    const first = t.now();
    await seen(t, "w", { kind: "in-process", name: "thumbs", host: "box-1", queues: ["images"], concurrency: 8 });
    t.clock.advance(5000);
    await seen(t, "w", { name: "thumbnails", queues: [] });
    const expected: WorkerRecord = {
      id: "w", kind: "in-process", name: "thumbnails", host: "box-1", queues: [], concurrency: 8,
      active: 0, processed: 0, failed: 0, firstSeenAt: first, lastSeenAt: t.now(), shutdownRequestedAt: null,
    };
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toEqual(expected);
    // A sighting that arrives late (an earlier now) leaves lastSeenAt where it was.
    await seen(t, "w", {}, t.now() - 3000);
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toEqual(expected);
    await seen(t, "w", { kind: "push", host: "box-2", concurrency: 1, queues: ["images", "video"] });
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toEqual({
      ...expected, kind: "push", host: "box-2", concurrency: 1, queues: ["images", "video"],
    });
  });

  it("a shutdown request is answered to its worker until the worker was away longer than forgetShutdownAfterMs", async (t) => {
    expect(await t.store.workerRequestShutdown({ id: "nobody", now: t.now() })).toBeNull();
    await seen(t, "w", { name: "mailer" });
    t.clock.advance(1000);
    const asked = await t.store.workerRequestShutdown({ id: "w", now: t.now() });
    expect(asked).toMatchObject({ id: "w", name: "mailer", lastSeenAt: t.now() - 1000, shutdownRequestedAt: t.now(), active: 0 });
    t.clock.advance(1000);
    // Asking again keeps the first request's time.
    expect((await t.store.workerRequestShutdown({ id: "w", now: t.now() }))!.shutdownRequestedAt).toBe(t.now() - 1000);
    expect(await seen(t, "w")).toEqual({ shutdownRequested: true });
    // Away exactly forgetShutdownAfterMs: still the same run.
    t.clock.advance(FORGET_MS);
    expect(await seen(t, "w")).toEqual({ shutdownRequested: true });
    // Away longer: a new run, which does not inherit the request.
    t.clock.advance(FORGET_MS + 1);
    expect(await seen(t, "w")).toEqual({ shutdownRequested: false });
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toMatchObject({ name: "mailer", lastSeenAt: t.now(), shutdownRequestedAt: null });
    expect(await seen(t, "w")).toEqual({ shutdownRequested: false });
  });

  it("workers are listed by id, in byte order", async (t) => {
    for (const id of ["b", "a-9", "a-10", "Zed"]) await seen(t, id);
    const listed = await t.store.workersList({ now: t.now() });
    expect(listed.map((w) => w.id)).toEqual(["Zed", "a-10", "a-9", "b"]);
    for (const w of listed) expect(await t.store.workerGet({ id: w.id, now: t.now() })).toEqual(w);
  });

  it("pruning forgets the workers last seen before the cutoff and counts them", async (t) => {
    await seen(t, "old");
    t.clock.advance(1000);
    const cutoff = t.now();
    await seen(t, "edge");
    t.clock.advance(1000);
    await seen(t, "new");
    expect(await t.store.workersPrune({ seenBefore: cutoff, now: t.now() })).toBe(1);
    expect((await t.store.workersList({ now: t.now() })).map((w) => w.id)).toEqual(["edge", "new"]);
    expect(await t.store.workerGet({ id: "old", now: t.now() })).toBeNull();
    expect(await t.store.workersPrune({ seenBefore: cutoff, now: t.now() })).toBe(0);
  });

  it("a worker's figures follow its jobs: active while held, processed when completed, failed when an attempt fails or its lease expires", async (t) => {
    await seen(t, "w1");
    await seen(t, "w2");
    await jobs(t, 7);
    const held = await t.claim("q", 6, 60_000, "w1");
    expect(held).toHaveLength(6);
    expect(await t.claim("q", 1, 600_000, "w2")).toHaveLength(1);
    expect(await figures(t, "w1")).toEqual({ active: 6, processed: 0, failed: 0 });
    await t.complete(held[0]!);
    expect(await figures(t, "w1")).toEqual({ active: 5, processed: 1, failed: 0 });
    await t.svc.completeMany([held[1]!, held[2]!].map((j) => ({ id: j.id, token: j.leaseToken! })));
    expect(await figures(t, "w1")).toEqual({ active: 3, processed: 3, failed: 0 });
    expect((await t.failWith(held[3]!)).state).toBe("waiting");
    expect(await figures(t, "w1")).toEqual({ active: 2, processed: 3, failed: 1 });
    expect((await t.failWith(held[4]!, { retry: false })).state).toBe("failed");
    expect(await figures(t, "w1")).toEqual({ active: 1, processed: 3, failed: 2 });
    t.clock.advance(60_000);
    expect(await t.svc.reapExpiredLeases()).toEqual([held[5]!.id]);
    expect(await figures(t, "w1")).toEqual({ active: 0, processed: 3, failed: 3 });
    expect(await figures(t, "w2")).toEqual({ active: 1, processed: 0, failed: 0 });
  });

  it("a job cancelled by force while active counts neither processed nor failed for its worker", async (t) => {
    await seen(t, "w1");
    await jobs(t, 2);
    const [forced, kept] = await t.claim("q", 2, 60_000, "w1");
    expect((await t.svc.cancel(forced!.id, true)).state).toBe("cancelled");
    expect(await figures(t, "w1")).toEqual({ active: 1, processed: 0, failed: 0 });
    await t.complete(kept!);
    expect(await figures(t, "w1")).toEqual({ active: 0, processed: 1, failed: 0 });
  });

  it("a forgotten worker seen again starts afresh: a new first sighting, no figures from before, the jobs it holds still active", async (t) => {
    await seen(t, "w", { name: "mailer" });
    await jobs(t, 3);
    const held = await t.claim("q", 3, 600_000, "w");
    await t.complete(held[0]!);
    expect(await figures(t, "w")).toEqual({ active: 2, processed: 1, failed: 0 });
    t.clock.advance(1000);
    expect(await t.store.workersPrune({ seenBefore: t.now(), now: t.now() })).toBe(1);
    // Finished while forgotten: counted for no one.
    await t.complete(held[1]!);
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toBeNull();
    t.clock.advance(1000);
    await seen(t, "w");
    expect(await t.store.workerGet({ id: "w", now: t.now() })).toEqual({
      id: "w", kind: "http", name: null, host: null, queues: [], concurrency: null,
      active: 1, processed: 0, failed: 0, firstSeenAt: t.now(), lastSeenAt: t.now(), shutdownRequestedAt: null,
    });
    await t.complete(held[2]!);
    expect(await figures(t, "w")).toEqual({ active: 0, processed: 1, failed: 0 });
  });

  it("a queue's target secret is made once: ensuring it again keeps the first secret", async (t) => {
    const first = await ensure(t, "hooks", "secret-1");
    expect(first).toEqual({ queue: "hooks", secret: "secret-1", previousSecret: null, rotatedAt: null, createdAt: t.now() });
    t.clock.advance(1000);
    expect(await ensure(t, "hooks", "secret-2")).toEqual(first);
    expect(await ensure(t, "other", "secret-3")).toEqual({ queue: "other", secret: "secret-3", previousSecret: null, rotatedAt: null, createdAt: t.now() });
  });

  it("rotating a target secret keeps the replaced one as previousSecret; a queue without one gets its first", async (t) => {
    const created = t.now();
    expect(await rotate(t, "hooks", "secret-1")).toEqual({ queue: "hooks", secret: "secret-1", previousSecret: null, rotatedAt: null, createdAt: created });
    t.clock.advance(1000);
    expect(await rotate(t, "hooks", "secret-2")).toEqual({ queue: "hooks", secret: "secret-2", previousSecret: "secret-1", rotatedAt: t.now(), createdAt: created });
    t.clock.advance(1000);
    const third = await rotate(t, "hooks", "secret-3");
    expect(third).toEqual({ queue: "hooks", secret: "secret-3", previousSecret: "secret-2", rotatedAt: t.now(), createdAt: created });
    expect(await ensure(t, "hooks", "secret-4")).toEqual(third);
  });
}
