/** HTTP API and CLI, schedules: CRUD, validation naming the field, trigger/pause/resume, built-ins, firing inside `serve`. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { detailPaths, expectError, tokenFor } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;

beforeEach(async () => {
  clock = new TestClock("2026-01-01T00:00:00Z");
  server = await startTestServer({}, clock);
});
afterEach(() => server.close());

const nightly = { name: "nightly", cron: "0 3 * * *", timezone: "Europe/Paris", queue: "exports", payload: { full: true } };

async function create(body: Record<string, unknown> = nightly) {
  const res = await server.call("POST", "/v1/schedules", body);
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
  return res.body;
}

describe("create and read", () => {
  test("POST creates a schedule: 201 with defaults, next fire time and a preview in its zone", async () => {
    const s = await create();
    expect(s).toMatchObject({
      name: "nightly", cron: "0 3 * * *", every: null, timezone: "Europe/Paris", queue: "exports", payload: { full: true },
      jobOptions: {}, enabled: true, overlap: "allow", catchUp: "one", builtin: false,
      nextFireAt: "2026-01-01T02:00:00.000Z", lastFireAt: null, lastJobId: null, lastRun: null,
    });
    expect(s.preview).toHaveLength(5);
    expect(s.preview[0]).toEqual({ at: "2026-01-01T02:00:00.000Z", local: "2026-01-01T03:00:00+01:00" });
    expect("revision" in s).toBe(false);
    expectError(await server.call("POST", "/v1/schedules", nightly), 409, "conflict");
  });

  test("GET lists schedules (the built-ins included) and reads one with preview and history", async () => {
    await create({ name: "often", every: "30s", queue: "q" });
    const { schedules } = (await server.call("GET", "/v1/schedules")).body;
    expect(schedules.map((s: any) => [s.name, s.builtin])).toEqual([
      ["often", false], ["spool:daily-report", true], ["spool:disk-check", true], ["spool:health", true], ["spool:retention", true],
    ]);
    const one = await server.call("GET", "/v1/schedules/often?preview=3&history=5");
    expect(one.status).toBe(200);
    expect(one.body.preview.map((p: any) => p.at)).toEqual(["2026-01-01T00:00:30.000Z", "2026-01-01T00:01:00.000Z", "2026-01-01T00:01:30.000Z"]);
    expect(one.body.history).toEqual([]);
    expectError(await server.call("GET", "/v1/schedules/nope"), 404, "not_found");
  });

  test("the DST change shows in the preview's local times", async () => {
    await create({ name: "berlin", cron: "30 2 * * *", timezone: "Europe/Berlin", queue: "q" });
    clock.set("2026-03-27T12:00:00Z");
    const { body } = await server.call("GET", "/v1/schedules/berlin?preview=3");
    expect(body.preview.map((p: any) => p.local)).toEqual(["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]);
  });
});

describe("invalid input", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["an invalid cron", { name: "s", cron: "61 * * * *", queue: "q" }, ["cron"]],
    ["an unknown time zone", { name: "s", cron: "0 * * * *", timezone: "Mars/Base", queue: "q" }, ["timezone"]],
    ["a bare offset for a time zone", { name: "s", cron: "0 * * * *", timezone: "+02:00", queue: "q" }, ["timezone"]],
    ["a cron of 4 or 7 fields", { name: "s", cron: "* * * *", queue: "q" }, ["cron"]],
    ["a bad interval", { name: "s", every: "10x", queue: "q" }, ["every"]],
    ["cron and every together", { name: "s", cron: "* * * * *", every: "1m", queue: "q" }, ["every"]],
    ["no queue", { name: "s", every: "1m" }, ["queue"]],
    ["a bad name", { name: "a b", every: "1m", queue: "q" }, ["name"]],
    ["a reserved name", { name: "spool:mine", every: "1m", queue: "q" }, ["name"]],
    ["an unknown overlap", { name: "s", every: "1m", queue: "q", overlap: "never" }, ["overlap"]],
    ["an unknown field", { name: "s", every: "1m", queue: "q", colour: "red" }, [""]],
    ["a bad job option", { name: "s", every: "1m", queue: "q", jobOptions: { priority: 99 } }, ["jobOptions.priority"]],
  ];
  for (const [what, body, paths] of cases) {
    test(`${what} → 400 naming ${paths.join(", ") || "the body"}`, async () => {
      const error = expectError(await server.call("POST", "/v1/schedules", body), 400, "validation_failed");
      for (const p of paths) if (p) expect(detailPaths(error)).toContain(p);
      expect((await server.call("GET", "/v1/schedules/s")).status).toBe(404);
    });
  }

  test("a cron's fields are counted as documented: 5, or 6 with seconds", async () => {
    for (const cron of ["* * * *", "0 0 0 1 1 * 2030"]) {
      const error = expectError(await server.call("POST", "/v1/schedules", { name: "s", cron, queue: "q" }), 400, "validation_failed");
      expect(error.details[0].message).toMatch(/a cron has 5 fields .*, or 6 with seconds first; this one has [47]$/);
    }
  });

  test("a time zone is stored as the IANA database spells it", async () => {
    const s = await create({ name: "lower", cron: "0 3 * * *", timezone: "europe/berlin", queue: "q" });
    expect(s.timezone).toBe("Europe/Berlin");
    expect((await create({ name: "utc", every: "1h", timezone: "utc", queue: "q" })).timezone).toBe("UTC");
  });

  test("a payload with 1e309 or nested 10 000 levels deep → 400 naming payload (it could never fire)", async () => {
    const deep = "[".repeat(10_000) + "]".repeat(10_000);
    for (const payload of ["1e309", deep]) {
      const body = `{"name":"s","every":"1m","queue":"q","payload":${payload}}`;
      expect(detailPaths(expectError(await server.call("POST", "/v1/schedules", body), 400, "validation_failed"))).toEqual(["payload"]);
      expect((await server.call("GET", "/v1/schedules/s")).status).toBe(404);
    }
  });

  test("malformed JSON → 400, and a bad edit leaves the schedule unchanged", async () => {
    expectError(await server.call("POST", "/v1/schedules", "{not json"), 400);
    const before = await create();
    const error = expectError(await server.call("PUT", "/v1/schedules/nightly", { timezone: "Nowhere/Special" }), 400, "validation_failed");
    expect(detailPaths(error)).toEqual(["timezone"]);
    expect(error.message).toContain("timezone");
    const after = (await server.call("GET", "/v1/schedules/nightly")).body;
    expect({ ...after, history: undefined, preview: undefined }).toMatchObject({ ...before, preview: undefined });
  });
});

test("a schedule or queue named . or .. is refused: no address could name it to edit, pause or delete it", async () => {
  for (const name of [".", ".."]) {
    expect(detailPaths(expectError(await server.call("POST", "/v1/schedules", { name, every: "2s", queue: "q" }), 400, "validation_failed"))).toEqual(["name"]);
    expect(detailPaths(expectError(await server.call("POST", "/v1/schedules", { name: "ok", every: "2s", queue: name }), 400, "validation_failed"))).toEqual(["queue"]);
    await expect(server.service.enqueue(name, {})).rejects.toThrow("invalid queue name");
  }
  // Dots with more to the name are names like any other.
  expect((await server.call("POST", "/v1/schedules", { name: "...", every: "2s", queue: "a.b" })).status).toBe(201);
  expect((await server.call("GET", "/v1/schedules")).body.schedules.map((s: { name: string }) => s.name)).not.toContain("..");
});

describe("edit, pause, resume, trigger, delete", () => {
  test("PUT edits the given fields (200) or creates (201)", async () => {
    await create();
    const edited = await server.call("PUT", "/v1/schedules/nightly", { every: "1h", overlap: "skip" });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ cron: null, every: "1h", overlap: "skip", queue: "exports", nextFireAt: "2026-01-01T01:00:00.000Z" });
    const created = await server.call("PUT", "/v1/schedules/fresh", { every: "5m", queue: "q" });
    expect(created.status).toBe(201);
    expect(created.body.nextFireAt).toBe("2026-01-01T00:05:00.000Z");
  });

  test("twenty PUTs of one schedule at once: one creates it, the others edit it; twenty triggers at once all fire", async () => {
    const puts = await Promise.all(Array.from({ length: 20 }, (_, i) => server.call("PUT", "/v1/schedules/busy", { every: `${i + 1}h`, queue: "q" })));
    expect(puts.map((r) => r.status).sort()).toEqual([200, ...Array(18).fill(200), 201].sort());
    const last = (await server.call("GET", "/v1/schedules/busy")).body;
    expect(puts.map((r) => r.body.every)).toContain(last.every);
    const fires = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        clock.set(Date.parse("2026-01-01T00:00:01Z") + i);
        return server.call("POST", "/v1/schedules/busy/trigger");
      }),
    );
    expect(fires.map((r) => r.status)).toEqual(Array(20).fill(201));
  });

  test("trigger enqueues now (201 job), keyed by the fire time; history shows the run and its outcome", async () => {
    await create();
    clock.set("2026-01-01T00:00:07Z");
    const fired = await server.call("POST", "/v1/schedules/nightly/trigger");
    expect(fired.status).toBe(201);
    expect(fired.body).toMatchObject({ queue: "exports", payload: { full: true }, state: "waiting", idempotencyKey: "schedule:nightly:2026-01-01T00:00:07.000Z" });
    const [job] = await server.service.claim({ queue: "exports", workerId: "w" });
    await server.service.complete({ id: job!.id, token: job!.leaseToken!, result: { rows: 3 } });
    const { body } = await server.call("GET", "/v1/schedules/nightly");
    expect(body.lastJobId).toBe(fired.body.id);
    expect(body.nextFireAt).toBe("2026-01-01T02:00:00.000Z");
    expect(body.history).toMatchObject([{ kind: "fired", manual: true, fireTime: "2026-01-01T00:00:07.000Z", jobId: fired.body.id, job: { state: "completed", deleted: false } }]);
    expect(body.lastRun).toEqual(body.history[0]);
  });

  test("triggers within one millisecond each enqueue a job of their own, and history counts each once", async () => {
    await create();
    clock.set("2026-01-01T00:00:07Z");
    const fires = await Promise.all(Array.from({ length: 5 }, () => server.call("POST", "/v1/schedules/nightly/trigger")));
    expect(fires.map((r) => r.status)).toEqual(Array(5).fill(201));
    const jobIds = fires.map((r) => r.body.id);
    expect(new Set(jobIds).size).toBe(5);
    expect((await server.call("GET", "/v1/queues/exports")).body.counts.waiting).toBe(5);
    const { body } = await server.call("GET", "/v1/schedules/nightly?history=10");
    expect(body.history.map((r: { jobId: string }) => r.jobId).sort()).toEqual([...jobIds].sort());
  });

  test("pause stops the next fire time, resume restarts it from now", async () => {
    await create();
    const paused = await server.call("POST", "/v1/schedules/nightly/pause");
    expect(paused.body).toMatchObject({ enabled: false, nextFireAt: null });
    // No next fire time, so no preview of fires either.
    expect(paused.body.preview).toEqual([]);
    expect((await server.call("GET", "/v1/schedules/nightly")).body.preview).toEqual([]);
    clock.set("2026-01-03T12:00:00Z");
    const resumed = await server.call("POST", "/v1/schedules/nightly/resume");
    expect(resumed.body).toMatchObject({ enabled: true, nextFireAt: "2026-01-04T02:00:00.000Z" });
    expectError(await server.call("POST", "/v1/schedules/nope/pause"), 404, "not_found");
  });

  test("DELETE removes a schedule (204); built-ins answer 409, unknown names 404", async () => {
    await create();
    expect((await server.call("DELETE", "/v1/schedules/nightly")).status).toBe(204);
    expectError(await server.call("GET", "/v1/schedules/nightly"), 404, "not_found");
    expectError(await server.call("DELETE", "/v1/schedules/nightly"), 404, "not_found");
    expectError(await server.call("DELETE", "/v1/schedules/spool:retention"), 409, "conflict");
  });
});

describe("built-in schedules and the running scheduler", () => {
  test("built-ins can be edited, paused and triggered through their names", async () => {
    const retention = await server.call("PUT", "/v1/schedules/spool:retention", { cron: "30 3 * * *" });
    expect(retention.body).toMatchObject({ name: "spool:retention", builtin: true, cron: "30 3 * * *", queue: "spool:maintenance" });
    expect((await server.call("POST", "/v1/schedules/spool:health/pause")).body.enabled).toBe(false);
    const job = await server.call("POST", "/v1/schedules/spool:disk-check/trigger");
    expect(job.body).toMatchObject({ queue: "spool:maintenance", payload: { task: "disk-check" } });
  });

  test("a built-in's queue and payload cannot change (its jobs would go where nothing runs them); the refusal names each and changes nothing", async () => {
    const before = (await server.call("GET", "/v1/schedules/spool:health")).body;
    const queue = expectError(await server.call("PUT", "/v1/schedules/spool:health", { queue: "elsewhere" }), 400, "validation_failed");
    expect(queue.message).toContain("built in");
    expect(detailPaths(queue)).toEqual(["queue"]);
    const both = expectError(await server.call("PUT", "/v1/schedules/spool:health", { queue: "elsewhere", payload: { task: "rm -rf" }, every: "5s" }), 400, "validation_failed");
    expect(detailPaths(both)).toEqual(["queue", "payload"]);
    expect((await server.call("GET", "/v1/schedules/spool:health")).body).toEqual(before);
    // The same queue and payload written out are no change.
    const same = await server.call("PUT", "/v1/schedules/spool:health", { queue: "spool:maintenance", payload: { task: "health" }, every: "1m" });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ every: "1m", queue: "spool:maintenance", payload: { task: "health" } });
  });

  test("spool serve runs the scheduler: a due schedule fires into its queue by itself", async () => {
    await create({ name: "soon", every: "1s", queue: "ticks" });
    const claim = server.service.claim({ queue: "ticks", workerId: "w", waitMs: 5000 });
    clock.advance(1000);
    const jobs = await claim;
    expect(jobs.map((j) => j.idempotencyKey)).toEqual(["schedule:soon:2026-01-01T00:00:01.000Z"]);
  });

  test("the OpenAPI description declares every schedule route", async () => {
    const doc = (await server.call("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/v1/schedules")).sort()).toEqual([
      "/v1/schedules", "/v1/schedules/{name}", "/v1/schedules/{name}/pause", "/v1/schedules/{name}/resume", "/v1/schedules/{name}/trigger",
    ]);
    expect(Object.keys(doc.paths["/v1/schedules/{name}"]).sort()).toEqual(["delete", "get", "put"]);
  });

  test("a viewer may read schedules but not change them", async () => {
    const viewer = await tokenFor(server, "viewer");
    const admin = await tokenFor(server, "admin");
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await server.call("GET", "/v1/schedules", undefined, auth(viewer))).status).toBe(200);
    expectError(await server.call("POST", "/v1/schedules/spool:health/trigger", undefined, auth(viewer)), 403, "forbidden");
    expect((await server.call("POST", "/v1/schedules/spool:health/trigger", undefined, auth(admin))).status).toBe(201);
  });
});

describe("cli", () => {
  /** Runs `spool schedule …` as a child process against the test server (which answers from this process). */
  async function spool(...args: string[]) {
    const proc = Bun.spawn([process.execPath, "src/main.ts", "--url", server.url, "schedule", ...args], {
      cwd: `${import.meta.dir}/..`, stdout: "pipe", stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, out, err };
  }

  test("schedule add|ls|trigger|pause|resume|rm drive the API", async () => {
    const added = await spool("add", "report", "--cron", "0 6 * * 1", "--tz", "America/New_York", "--queue", "reports", "--data", '{"week":true}', "--overlap", "skip", "--priority", "8");
    expect(added.err).toBe("");
    expect(added.out).toContain("report  0 6 * * 1  next 2026-01-05T06:00:00-05:00");
    expect((await spool("add", "beat", "--every", "30s", "--queue", "beats")).code).toBe(0);
    const stored = (await server.call("GET", "/v1/schedules/report")).body;
    expect(stored).toMatchObject({ timezone: "America/New_York", payload: { week: true }, overlap: "skip", jobOptions: { priority: 8 } });

    const ls = await spool("ls");
    expect(ls.out).toMatch(/^NAME\s+WHEN\s+TZ\s+QUEUE\s+STATE\s+NEXT\s+LAST RUN/);
    expect(ls.out).toMatch(/beat\s+every 30s\s+UTC\s+beats\s+active\s+2026-01-01T00:00:30\+00:00/);

    const fired = await spool("trigger", "report", "--json");
    expect(JSON.parse(fired.out)).toMatchObject({ queue: "reports", payload: { week: true }, priority: 8 });
    expect((await spool("ls")).out).toMatch(/report\s+.*fired → waiting/);
    expect((await spool("pause", "report")).out.trim()).toBe("report paused");
    // A paused schedule shows no fire times: it fires nothing until resumed.
    const pausedGet = (await spool("get", "report")).out;
    expect(pausedGet).toContain("paused: no fire times until it is resumed");
    expect(pausedGet).not.toContain("next fire times");
    expect((await spool("add", "quiet", "--every", "30s", "--queue", "beats", "--paused")).out.trim()).toBe("quiet  every 30s  paused");
    expect((await spool("resume", "report")).out.trim()).toBe("report active, next 2026-01-05T06:00:00-05:00");
    expect((await spool("get", "report")).out).toContain("fired → waiting");
    expect((await spool("rm", "beat")).out.trim()).toBe("beat deleted");
    expect((await server.call("GET", "/v1/schedules/beat")).status).toBe(404);
  });

  test("bad input is reported with the field and a non-zero exit", async () => {
    const bad = await spool("add", "x", "--cron", "99 * * * *", "--queue", "q");
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain("cron");
    expect(bad.err).toContain("validation_failed");
    const neither = await spool("add", "x", "--queue", "q");
    expect(neither.code).toBe(2);
    expect(neither.err).toContain("--cron or --every");
  });
});
