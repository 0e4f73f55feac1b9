/** Background duties: one list holds each once, each makes exactly the store calls it declares, and the interval ones do their work when the test clock says so. */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/core/job.ts";
import { QueueService } from "../src/core/queue-service.ts";
import type { Store } from "../src/core/store.ts";
import { allDuties, intervalDuties } from "../src/duties/all-duties.ts";
import type { Duty, MaintenanceContext } from "../src/duties/duty.ts";
import { IntervalDuties } from "../src/duties/interval-duties.ts";
import { maintenanceTasks } from "../src/duties/maintenance-jobs.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { monitorConfig } from "../src/monitor/monitor-config.ts";
import { builtinSchedules } from "../src/scheduler/builtins.ts";
import { MonitorWorld } from "./helpers/monitor-world.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DUTIES_DIR = join(import.meta.dir, "../src/duties");

let world: MonitorWorld;
afterEach(async () => {
  await world.close();
});

function isDuty(value: unknown): value is Duty {
  return typeof value === "object" && value !== null && "trigger" in value && "storeCalls" in value && "run" in value;
}

/** The store, with the name of every method called through it added to `calls`. */
function recording(store: Store, calls: Set<string>): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.add(String(prop));
        return value.apply(target, args);
      };
    },
  });
}

describe("the list of duties", () => {
  beforeEach(() => {
    world = new MonitorWorld();
  });

  test("holds every duty exported under src/duties once, by a unique name", async () => {
    const exported: Duty[] = [];
    for (const file of readdirSync(DUTIES_DIR).filter((f) => f.endsWith(".ts"))) {
      exported.push(...Object.values(await import(join(DUTIES_DIR, file))).filter(isDuty));
    }
    expect(exported.length).toBeGreaterThan(0);
    expect(new Set(allDuties).size).toBe(allDuties.length);
    expect(new Set(allDuties).size).toBe(new Set(exported).size);
    for (const duty of new Set(exported)) expect(allDuties).toContain(duty);
    expect(new Set(allDuties.map((d) => d.name)).size).toBe(allDuties.length);
  });

  test("each declared store call is a method of the store, named once", () => {
    const store: Store = world.store;
    for (const duty of allDuties) {
      expect(new Set(duty.storeCalls).size).toBe(duty.storeCalls.length);
      for (const call of duty.storeCalls) expect(typeof store[call]).toBe("function");
    }
  });

  test("the scheduled duties' tasks are exactly the built-in schedules' tasks", () => {
    const builtinTasks = builtinSchedules("UTC").map((s) => (s.payload as { task: string }).task);
    expect([...maintenanceTasks.keys()].sort()).toEqual(builtinTasks.sort());
  });

  test("each duty makes exactly the store calls it declares", async () => {
    // Work for every duty: an expired lease, a due delayed job, a finished job, an expired
    // session, a queue with no worker (an alert to fire, then to resolve once one is seen).
    const start = world.now();
    await world.run("q", { runMs: SECOND });
    const leased = await world.enqueue("q");
    await world.svc.claim({ queue: "q", workerId: "gone", leaseMs: MINUTE });
    await world.enqueue("q", { delayMs: MINUTE });
    await world.enqueue("q");
    await world.store.sessionCreate({ hash: "h", tokenId: null, role: "admin", expiresAt: start + MINUTE, now: start });
    world.clock.advance(2 * MINUTE);

    const made = new Set<string>();
    const store = recording(world.store, made);
    const ctx: MaintenanceContext = {
      service: new QueueService({ store, clock: world.clock }),
      // worker_down at once for a queue no worker was seen taking, so the run both fires and resolves it.
      monitor: new Monitor({ store, clock: world.clock, dataDir: world.dir, channels: [], config: monitorConfig({ thresholds: { workerDownMs: 0 } }) }),
      dataDir: world.dir,
    };
    const seen = new Map<string, Set<string>>(allDuties.map((d) => [d.name, new Set()]));
    const runAll = async () => {
      for (const duty of allDuties) {
        made.clear();
        await duty.run(ctx);
        for (const call of made) seen.get(duty.name)!.add(call);
      }
    };
    await runAll();
    expect((await world.svc.getJob(leased.id)).errors.map((e) => e.type)).toEqual(["lease_expired"]);
    await world.store.workerSeen({ id: "w", queues: ["q"], forgetShutdownAfterMs: MINUTE, now: world.now() });
    await runAll();
    expect((await ctx.monitor.alerts({ limit: 10 })).map((a) => [a.rule, a.state])).toContainEqual(["worker_down", "resolved"]);

    for (const duty of allDuties) {
      expect({ duty: duty.name, calls: [...seen.get(duty.name)!].sort() }).toEqual({ duty: duty.name, calls: [...duty.storeCalls].sort() });
    }
  });
});

describe("interval duties under a test clock", () => {
  let duties: IntervalDuties;

  beforeEach(async () => {
    world = new MonitorWorld();
    duties = new IntervalDuties({ ctx: { service: world.svc }, timer: world.clock });
  });
  afterEach(async () => {
    await duties.stop();
  });

  /** Moves the clock on `ms` in steps of `step`, letting the runs each step starts finish. */
  async function pass(ms: number, step = ms): Promise<void> {
    for (let moved = 0; moved < ms; moved += step) {
      world.clock.advance(Math.min(step, ms - moved));
      await duties.idle();
    }
  }

  async function stateOf(job: Job): Promise<string> {
    return (await world.svc.getJob(job.id)).state;
  }

  test("the interval duties and their periods", () => {
    expect(intervalDuties.map((d) => [d.name, d.trigger.everyMs])).toEqual([
      ["lease-reaper", SECOND],
      ["delayed-promotion", SECOND],
      ["worker-expiry", HOUR],
      ["session-pruning", HOUR],
    ]);
  });

  test("a lease that expired while nothing ran is recovered at start", async () => {
    const job = await world.enqueue("q");
    await world.claimOne("q", 5 * SECOND);
    world.clock.advance(10 * SECOND);
    expect(await stateOf(job)).toBe("active");
    duties.start();
    await duties.idle();
    expect((await world.svc.getJob(job.id)).errors.map((e) => e.type)).toEqual(["lease_expired"]);
  });

  test("the lease reaper recovers a lease once it has expired, not before", async () => {
    duties.start();
    const job = await world.enqueue("q");
    await world.claimOne("q", 5 * SECOND);
    await pass(4 * SECOND, SECOND);
    expect(await stateOf(job)).toBe("active");
    await pass(2 * SECOND, SECOND);
    const recovered = await world.svc.getJob(job.id);
    expect(recovered.state).not.toBe("active");
    expect(recovered.errors.map((e) => e.type)).toEqual(["lease_expired"]);
  });

  test("delayed promotion shows a delayed job as waiting once its time has come", async () => {
    duties.start();
    const job = await world.enqueue("q", { delayMs: 10 * SECOND });
    await pass(9 * SECOND, SECOND);
    expect(await stateOf(job)).toBe("delayed");
    await pass(SECOND);
    expect(await stateOf(job)).toBe("waiting");
  });

  test("session pruning deletes expired sessions within the hour, and only those", async () => {
    const start = world.now();
    const create = (hash: string, expiresAt: number) => world.store.sessionCreate({ hash, tokenId: null, role: "admin", expiresAt, now: start });
    await create("short", start + 10 * MINUTE);
    await create("long", start + DAY);
    duties.start();
    await duties.idle();
    const db = new Database(join(world.dir, "spool.db"), { readonly: true });
    try {
      const count = () => db.query<{ n: number }, []>("SELECT count(*) AS n FROM sessions").get()!.n;
      await pass(30 * MINUTE);
      expect(count()).toBe(2);
      await pass(30 * MINUTE);
      expect(count()).toBe(1);
      expect(await world.store.sessionFind({ hash: "long", now: world.now() })).not.toBeNull();
    } finally {
      db.close();
    }
  });

  test("worker expiry forgets a worker unseen for a day, within the hour after", async () => {
    const seen = (id: string) => world.store.workerSeen({ id, queues: ["q"], forgetShutdownAfterMs: MINUTE, now: world.now() });
    await seen("idle");
    duties.start();
    await pass(23 * HOUR, HOUR);
    await seen("busy");
    expect((await world.store.workersList({ now: world.now() })).map((w) => w.id).sort()).toEqual(["busy", "idle"]);
    await pass(2 * HOUR, HOUR);
    expect((await world.store.workersList({ now: world.now() })).map((w) => w.id)).toEqual(["busy"]);
  });

  test("once stopped, no duty runs however far the clock moves", async () => {
    duties.start();
    await duties.idle();
    await duties.stop();
    const leased = await world.enqueue("q");
    await world.claimOne("q", 5 * SECOND);
    const delayed = await world.enqueue("q", { delayMs: 5 * SECOND });
    await pass(2 * DAY, HOUR);
    expect(await stateOf(leased)).toBe("active");
    expect(await stateOf(delayed)).toBe("delayed");
  });
});
