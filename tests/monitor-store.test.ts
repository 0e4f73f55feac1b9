/** SQLite specifics of the MonitorStore (its semantics are in the store contract): the event triggers' migration, bounded reads, the fold. */
import { afterEach, describe, expect, test } from "bun:test";
import { MIGRATIONS } from "../src/store/sqlite/migrations.ts";
import { FOLD_BATCH, foldCursor } from "../src/store/sqlite/stats-fold.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

let world: MonitorWorld;
afterEach(async () => world?.close());

describe("SqliteStore monitoring", () => {
  test("migration 4 adds the event log; job changes write it from the store, so only row deletions keep triggers; migrations apply in version order", () => {
    world = new MonitorWorld();
    const names = (world.store.db.query("SELECT name FROM sqlite_master").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["events", "stats_minutes", "stats_histogram", "stats_errors", "stats_slowest", "alerts", "reports", "lanes_blocked"]));
    const triggers = world.store.db.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all() as { name: string; sql: string }[];
    expect(triggers.map((t) => t.name)).toEqual(["jobs_count_delete", "jobs_delete_keeps_schedule_outcome"]);
    expect(triggers.every((t) => /AFTER DELETE ON jobs/.test(t.sql))).toBe(true);
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toContain(4);
    expect(new Set(versions).size).toBe(versions.length);
  });

  test("a read examines a bounded window of ids, so a selective filter never scans the whole log at once", async () => {
    world = new MonitorWorld();
    for (let i = 0; i < 11; i++) await world.svc.enqueueMany("a", Array.from({ length: 1000 }, () => ({})));
    const b = await world.enqueue("b");
    const first = await world.store.eventsAfter({ afterId: 0, filters: { queue: "b" }, limit: 10, now: world.now() });
    expect(first).toEqual({ events: [], lastId: 10_000, atEnd: false });
    const second = await world.store.eventsAfter({ afterId: first.lastId, filters: { queue: "b" }, limit: 10, now: world.now() });
    expect(second.events.map((e) => e.jobId)).toEqual([b.id]);
    expect(second).toMatchObject({ lastId: 11_001, atEnd: true });
  });

  test("the fold moves in bounded batches up to the newest event it was asked for", async () => {
    world = new MonitorWorld();
    for (let i = 0; i < 25; i++) await world.svc.enqueueMany("q", Array.from({ length: 1000 }, () => ({})));
    expect(foldCursor(world.store.db)).toBe(0);
    const totals = await world.store.statsTotals({ from: 0, to: world.now() + 1, now: world.now() });
    expect(totals).toEqual([expect.objectContaining({ queue: "q", enqueued: 25_000 })]);
    expect(foldCursor(world.store.db)).toBe(25_000);
    expect(FOLD_BATCH).toBeLessThan(25_000);
  });
});
