/** A job's payload kept as its stored JSON text until read: what goes out is the stored text, or the value once read. */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import { TestClock } from "../src/core/clock.ts";
import { claimedJson, jobJson, renderJob } from "../src/core/job-json.ts";
import { payloadJson, withStoredPayload } from "../src/core/payload-text.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { START } from "./store-contract/harness.ts";

const dir = fs.mkdtempSync(os.tmpdir() + "/spool-payload-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("an unread payload goes out as its stored text; once read or set, as its value", () => {
  const stored = '{"b":1,"a":[1.5,"é\\n"]}';
  const job = withStoredPayload({ id: "1", payload: null as unknown }, stored);
  expect(payloadJson(job)).toBe(stored);
  expect(Object.keys(job)).toEqual(["id", "payload"]);
  const read = job.payload as { b: number; a: unknown[] };
  expect(read).toEqual({ b: 1, a: [1.5, "é\n"] });
  expect(job.payload).toBe(read);
  // A payload that was read may have been changed since: it is serialised again.
  read.b = 2;
  expect(payloadJson(job)).toBe('{"b":2,"a":[1.5,"é\\n"]}');
  const replaced = withStoredPayload({ payload: null as unknown }, "[1]");
  replaced.payload = { other: true };
  expect(payloadJson(replaced)).toBe('{"other":true}');
  expect({ ...withStoredPayload({ payload: null as unknown }, '"s"') }).toEqual({ payload: "s" });
});

test("a claimed job's JSON is renderJob's with its lease, whether or not its payload was read", async () => {
  const store = new SqliteStore({ path: `${dir}/spool.db` });
  const svc = new QueueService({ store, clock: new TestClock(START) });
  try {
    const payload = { order: 42, lines: [{ sku: "x-1", qty: 2 }], note: "a \"quoted\" ünïcode\tline", big: 12345678901234567 };
    await svc.enqueue("q", { payload });
    await svc.enqueue("q", { payload });
    const [unread, read] = await svc.claim({ queue: "q", workerId: "w", max: 2 });
    expect(read!.payload).toEqual(payload);
    // Written before anything reads the first job's payload: its stored text goes out as it is.
    const texts = [claimedJson(unread!), claimedJson(read!)];
    expect(JSON.parse(texts[0]!).payload).toEqual(payload);
    for (const [i, job] of [unread!, read!].entries()) {
      const rendered = JSON.parse(JSON.stringify(renderJob(job)));
      expect(JSON.parse(texts[i]!)).toEqual({ ...rendered, lease: { token: job.leaseToken, expiresAt: new Date(job.leaseExpiresAt!).toISOString() } });
      expect(JSON.parse(jobJson(job))).toEqual(rendered);
    }
  } finally {
    await store.close();
  }
});

test("a job's JSON text is JSON.stringify(renderJob(job)) exactly, key order included, in every state a job reaches", async () => {
  const store = new SqliteStore({ path: `${dir}/exact.db` });
  const clock = new TestClock(Date.parse(START) + 7);
  const svc = new QueueService({ store, clock });
  try {
    const exact = (job: Parameters<typeof jobJson>[0]) => {
      expect(jobJson(job)).toBe(JSON.stringify(renderJob(job)));
      const withLease = { ...renderJob(job), lease: { token: job.leaseToken, expiresAt: job.leaseExpiresAt === null ? null : new Date(job.leaseExpiresAt).toISOString() } };
      expect(claimedJson(job)).toBe(JSON.stringify(withLease));
    };
    const { job: keyed } = await svc.enqueue("q", {
      payload: { note: 'a "quoted" ünïcode\tline' }, key: 'cust-"7"/ü', idempotencyKey: "idem\n1", timeoutMs: 5000, priority: 9,
    });
    exact(keyed);
    clock.advance(93);
    const [claimed] = await svc.claim({ queue: "q", workerId: "worker é", max: 1 });
    exact(claimed!);
    clock.advance(1000);
    exact(await svc.heartbeat({ id: claimed!.id, token: claimed!.leaseToken!, progress: { current: 40, total: 100, message: "half" }, checkpoint: { cursor: [1, "b"] } }));
    const retried = await svc.fail({ id: claimed!.id, token: claimed!.leaseToken!, error: { message: "boom \u2028", type: "Timeout", stack: "at x\n  at y" } });
    exact(retried);
    clock.advance(60_000);
    const [again] = await svc.claim({ queue: "q", workerId: "w2", max: 1 });
    exact(again!);
    exact(await svc.complete({ id: again!.id, token: again!.leaseToken!, result: { sent: true, at: null, list: [1.25, -0, 1e21] } }));
    // Times at the ends of the range, fractions of a millisecond, and fields a store left undefined.
    const odd = { ...again!, runAt: -5, createdAt: 253402300800000, startedAt: 1.9, finishedAt: 999, checkpoint: undefined, result: undefined };
    exact(odd);
  } finally {
    await store.close();
  }
});
