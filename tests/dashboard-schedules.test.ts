/** The dashboard's schedule pages over HTTP: list, detail, the add/edit form and its preview across DST, and the actions by role. */
import { afterEach, describe, expect, test } from "bun:test";
import { TestClock } from "../src/core/clock.ts";
import { Scheduler } from "../src/scheduler/scheduler.ts";
import { bearer, tokenFor } from "./helpers/api.ts";
import { DashboardSession } from "./helpers/dashboard.ts";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let clock: TestClock;
let admin: string;
afterEach(() => server?.close());

/** Two days before Europe/Berlin moves from +01:00 to +02:00 (2026-03-29, 02:00 local). */
const BEFORE_DST = "2026-03-27T12:00:00Z";

async function start() {
  clock = new TestClock(BEFORE_DST);
  server = await startTestServer({}, clock);
  admin = await tokenFor(server, "admin");
}

async function session(token: string, path = "/schedules") {
  const web = new DashboardSession(server);
  expect((await web.signIn(token)).status).toBe(303);
  expect((await web.get(path)).status).toBe(200);
  return web;
}

async function apiSchedule(name: string) {
  return server.call("GET", `/v1/schedules/${name}`, undefined, bearer(admin));
}

const nightly = { name: "nightly", cron: "0 3 * * *", every: "", timezone: "Europe/Berlin", queue: "exports", payload: '{"format":"csv"}', overlap: "skip", catchUp: "one" };

describe("schedule pages", () => {
  test("the list shows each schedule's next run in its own zone, its state and spool's own schedules; a viewer sees no controls and is refused", async () => {
    await start();
    const created = await server.call("POST", "/v1/schedules", { name: "nightly", cron: "0 3 * * *", timezone: "Europe/Berlin", queue: "exports" }, bearer(admin));
    expect(created.status).toBe(201);
    const web = await session(admin);
    const page = (await web.get("/schedules")).text;
    expect(page).toContain('data-schedule="nightly"');
    expect(page).toContain('data-local="2026-03-28T03:00:00+01:00"');
    expect(page).toContain("spool&#39;s own");
    expect(page).toContain('action="/schedules/nightly/pause"');
    expect(page).toContain('id="schedule-form"');
    expect(page).toContain("curl -sS &#39;http://");

    const viewer = await session(await tokenFor(server, "viewer"));
    const seen = (await viewer.get("/schedules")).text;
    expect(seen).toContain('data-schedule="nightly"');
    expect(seen).not.toContain('action="/schedules/nightly/pause"');
    expect(seen).not.toContain('id="schedule-form"');
    expect((await viewer.get("/schedules/nightly")).text).not.toContain("Trigger now");
    for (const path of ["/schedules", "/schedules/nightly", "/schedules/nightly/pause", "/schedules/nightly/resume", "/schedules/nightly/trigger", "/schedules/nightly/delete"]) {
      expect((await viewer.post(path, nightly)).status).toBe(403);
    }
    expect((await web.post("/schedules/nightly/pause", {}, { csrf: null })).status).toBe(403);
    expect((await apiSchedule("nightly")).body.enabled).toBe(true);
  });

  test("the add form previews the next fires in the chosen zone as typed, across the DST change, or names the field at fault", async () => {
    await start();
    const web = await session(admin);
    const preview = async (q: Record<string, string>) => (await web.get(`/schedules/preview/fires?${new URLSearchParams(q)}`, { "hx-request": "true" })).text;
    const fires = await preview({ cron: "0 3 * * *", timezone: "Europe/Berlin" });
    expect(fires.match(/data-local="[^"]+"/g)).toEqual([
      'data-local="2026-03-28T03:00:00+01:00"',
      'data-local="2026-03-29T03:00:00+02:00"',
      'data-local="2026-03-30T03:00:00+02:00"',
      'data-local="2026-03-31T03:00:00+02:00"',
      'data-local="2026-04-01T03:00:00+02:00"',
    ]);
    expect(fires).toContain("offset +01:00 → +02:00");
    expect(await preview({ every: "6h", timezone: "Asia/Tokyo" })).toContain('data-local="2026-03-28T03:00:00+09:00"');
    const badZone = await preview({ cron: "0 3 * * *", timezone: "Mars/Olympus" });
    expect(badZone).toContain("data-preview-error");
    expect(badZone).toContain("<strong>timezone</strong>");
    expect(await preview({ cron: "61 * * * *", timezone: "UTC" })).toContain("<strong>cron</strong>");
    expect(await preview({ timezone: "UTC" })).toContain("<strong>cron</strong>");
  });

  test("add, edit, pause, resume, trigger and delete round-trip through the forms, each with a confirmation", async () => {
    await start();
    const web = await session(admin);
    const added = await web.post("/schedules", nightly);
    expect(added.status).toBe(200);
    expect(added.headers.get("hx-trigger")).toBe("spool:changed");
    expect(added.text).toContain("Added schedule");
    expect(added.text).toContain('hx-swap-oob="beforeend:#flash"');
    let s = (await apiSchedule("nightly")).body;
    expect(s).toMatchObject({ cron: "0 3 * * *", every: null, timezone: "Europe/Berlin", queue: "exports", payload: { format: "csv" }, overlap: "skip", catchUp: "one" });

    const detail = (await web.get("/schedules/nightly")).text;
    expect((detail.match(/data-fire=/g) ?? []).length).toBe(10 + 5);
    expect(detail).toContain("offset +01:00 → +02:00");
    expect(detail).toContain('value="Europe/Berlin"');

    const edited = await web.post("/schedules/nightly", { ...nightly, cron: "", every: "30m", payload: "" });
    expect(edited.status).toBe(200);
    expect(edited.text).toContain("Saved schedule");
    s = (await apiSchedule("nightly")).body;
    expect(s).toMatchObject({ cron: null, every: "30m", payload: null });

    const paused = await web.post("/schedules/nightly/pause");
    expect(paused.text).toContain("Paused nightly");
    expect((await apiSchedule("nightly")).body.enabled).toBe(false);
    expect((await web.get("/schedules")).text).toContain("not while paused");
    expect((await web.post("/schedules/nightly/resume")).text).toContain("Resumed nightly: next run");
    expect((await apiSchedule("nightly")).body.enabled).toBe(true);

    const triggered = await web.post("/schedules/nightly/trigger");
    const jobId = triggered.text.match(/href="\/jobs\/(\d+)"/)?.[1];
    expect(jobId).toBeDefined();
    expect((await server.call("GET", `/v1/jobs/${jobId}`, undefined, bearer(admin))).body.queue).toBe("exports");
    const history = (await web.get("/schedules/nightly")).text;
    expect(history).toContain(`href="/jobs/${jobId}"`);
    expect(history).toContain("by hand");

    const deleted = await web.post("/schedules/nightly/delete");
    expect(deleted.headers.get("hx-redirect")).toBe("/schedules?deleted=nightly");
    expect((await apiSchedule("nightly")).status).toBe(404);
    expect((await web.get("/schedules?deleted=nightly")).text).toContain("Deleted schedule nightly.");
    const builtin = await web.post("/schedules/spool:health/delete");
    expect(builtin.status).toBe(409);
    expect(builtin.text).toContain("built in");
  });

  test("invalid input on save comes back as the form with each problem beside its field and what was typed kept", async () => {
    await start();
    const web = await session(admin);
    const bad = await web.post("/schedules", { ...nightly, cron: "61 * * * *", timezone: "Mars/Olympus", payload: '{"format":' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="sf-payload-error"');
    expect(bad.text).toContain('id="sf-cron-error"');
    expect(bad.text).toContain('id="sf-timezone-error"');
    expect(bad.text).toContain('value="61 * * * *"');
    expect(bad.text).toContain("{&quot;format&quot;:");
    const timing = await web.post("/schedules", { ...nightly, cron: "61 * * * *", timezone: "Mars/Olympus" });
    expect(timing.status).toBe(400);
    expect(timing.text).toContain('id="sf-cron-error"');
    expect(timing.text).toContain('id="sf-timezone-error"');
    expect(timing.text).toContain('value="Mars/Olympus"');
    expect((await apiSchedule("nightly")).status).toBe(404);

    expect((await web.post("/schedules", nightly)).status).toBe(200);
    const taken = await web.post("/schedules", nightly);
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('id="sf-name-error"');
    // Without JavaScript the page comes back whole, with the same errors.
    const plain = await web.post("/schedules", { ...nightly, name: "other", every: "5 parsecs", cron: "" }, { htmx: false });
    expect(plain.status).toBe(400);
    expect(plain.text).toStartWith("<!doctype html>");
    expect(plain.text).toContain('id="sf-every-error"');
    const saved = await web.post("/schedules", { ...nightly, name: "other" }, { htmx: false });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/schedules/other");
  });

  test("the list reads a run of skipped fires as of its latest, as the schedule's own page does", async () => {
    await start();
    await server.call("POST", "/v1/schedules", { name: "often", every: "10s", queue: "slow", overlap: "skip" }, bearer(admin));
    const runs = async () => (await apiSchedule("often")).body.history as { kind: string; fireTime: string; lastFireTime: string; count: number }[];
    // The first fire's job is never run, so the next fires are skipped.
    const scheduler = new Scheduler({ service: server.service });
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      await scheduler.tick();
    }
    const [latest] = await runs();
    expect(latest).toMatchObject({ kind: "skipped", count: 3 });
    expect(latest!.lastFireTime > latest!.fireTime).toBe(true);
    const row = (await (await session(admin)).get("/schedules")).text.split('data-schedule="often"')[1]!.split("</tr>")[0]!;
    expect(row).toContain(`datetime="${latest!.lastFireTime}"`);
    expect(row).not.toContain(`datetime="${latest!.fireTime}"`);
  });

  test("an unknown schedule is a 404 page", async () => {
    await start();
    const web = await session(admin);
    const missing = await web.get("/schedules/nope");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("Not found");
    // An edit form saved after its schedule was deleted does not bring the schedule back.
    const { name: _name, ...form } = nightly;
    const saved = await web.post("/schedules/nope", form);
    expect(saved.status).toBe(404);
    expect((await apiSchedule("nope")).status).toBe(404);
  });
});
