/** Schedules: list, create, read with preview and history, edit, delete, trigger, pause, resume. */
import { z } from "@hono/zod-openapi";
import type { Schedule, ScheduleRun } from "../../core/schedule-store.ts";
import { previewFires, type FirePreview } from "../../scheduler/schedule-service.ts";
import type { App, ApiDeps } from "../env.ts";
import { renderJob } from "../../core/job-json.ts";
import { jsonBody, jsonResponse, route } from "../route.ts";
import { JobSchema } from "../schemas/job.ts";
import { ScheduleCreateBody, ScheduleDetailSchema, ScheduleName, ScheduleSchema, ScheduleUpdateBody } from "../schemas/schedule.ts";

import { isoOrNull as iso } from "../../core/iso-time.ts";

function renderRun(run: ScheduleRun) {
  return {
    id: run.id,
    kind: run.kind,
    fireTime: iso(run.fireTime)!,
    lastFireTime: iso(run.lastFireTime)!,
    count: run.count,
    manual: run.manual,
    catchUp: run.catchUp,
    jobId: run.jobId,
    job: run.job && { ...run.job, finishedAt: iso(run.job.finishedAt) },
    at: iso(run.at)!,
  };
}

function renderSchedule(s: Schedule, preview: FirePreview[], lastRun: ScheduleRun | null) {
  const { revision: _revision, ...fields } = s;
  return {
    ...fields,
    nextFireAt: iso(s.nextFireAt),
    lastFireAt: iso(s.lastFireAt),
    lastResultAt: iso(s.lastResultAt),
    createdAt: iso(s.createdAt)!,
    updatedAt: iso(s.updatedAt)!,
    preview: preview.map((p) => ({ at: iso(p.at)!, local: p.local })),
    lastRun: lastRun && renderRun(lastRun),
  };
}

const params = { params: z.object({ name: ScheduleName }) };

const list = route("read", {
  method: "get",
  path: "/v1/schedules",
  operationId: "listSchedules",
  tags: ["Schedules"],
  summary: "All schedules, with their next fire times and last run",
  responses: { 200: jsonResponse(z.object({ schedules: z.array(ScheduleSchema) }), "Schedules by name") },
});

const create = route("admin", {
  method: "post",
  path: "/v1/schedules",
  operationId: "createSchedule",
  tags: ["Schedules"],
  summary: "Create a schedule",
  description: 'Give `cron` or `every`. An invalid cron, interval or time zone is answered 400 naming the field. Names starting "spool:" belong to the built-in schedules.',
  request: { body: jsonBody(ScheduleCreateBody) },
  errors: [409],
  responses: { 201: jsonResponse(ScheduleSchema, "Created") },
});

const get = route("read", {
  method: "get",
  path: "/v1/schedules/{name}",
  operationId: "getSchedule",
  tags: ["Schedules"],
  summary: "One schedule with a preview of its next fire times and its run history",
  request: {
    ...params,
    query: z.object({
      preview: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Fire times to preview (default 10)" }),
      history: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "Runs to list, newest first (default 20)" }),
    }),
  },
  errors: [404],
  responses: { 200: jsonResponse(ScheduleDetailSchema, "The schedule") },
});

const put = route("admin", {
  method: "put",
  path: "/v1/schedules/{name}",
  operationId: "putSchedule",
  tags: ["Schedules"],
  summary: "Edit a schedule (or create it)",
  description: "Fields left out keep their value; setting cron clears every and the reverse. A timing change counts from now; other edits keep the pending fire time. Built-in schedules can be edited like any other.",
  request: { ...params, body: jsonBody(ScheduleUpdateBody) },
  errors: [409],
  responses: { 200: jsonResponse(ScheduleSchema, "Edited"), 201: jsonResponse(ScheduleSchema, "Created") },
});

const remove = route("admin", {
  method: "delete",
  path: "/v1/schedules/{name}",
  operationId: "deleteSchedule",
  tags: ["Schedules"],
  summary: "Delete a schedule and its history (built-in schedules can only be paused)",
  request: params,
  errors: [404, 409],
  responses: { 204: { description: "Deleted" } },
});

const trigger = route("admin", {
  method: "post",
  path: "/v1/schedules/{name}/trigger",
  operationId: "triggerSchedule",
  tags: ["Schedules"],
  summary: "Fire now",
  description: "Enqueues the schedule's job at once, even while paused; the next fire times do not change.",
  request: params,
  errors: [404, 409],
  responses: { 201: jsonResponse(JobSchema, "The job enqueued") },
});

const action = (verb: "pause" | "resume", summary: string) =>
  route("admin", {
    method: "post",
    path: `/v1/schedules/{name}/${verb}`,
    operationId: `${verb}Schedule`,
    tags: ["Schedules"],
    summary,
    request: params,
    errors: [404, 409],
    responses: { 200: jsonResponse(ScheduleSchema, "Done") },
  });

const pause = action("pause", "Pause: no fires until resumed");
const resume = action("resume", "Resume: fires again from the next fire time after now (runs while paused are not missed)");

export function registerScheduleRoutes(app: App, deps: ApiDeps): void {
  const schedules = deps.schedules;
  const view = async (s: Schedule, previewCount = 5) => {
    const [lastRun] = await deps.store.scheduleRunsList({ name: s.name, limit: 1 });
    // A paused schedule has no next fires (its nextFireAt is null), so its preview is empty too.
    return renderSchedule(s, s.enabled ? previewFires(s, deps.clock.now(), previewCount) : [], lastRun ?? null);
  };

  app.openapi(list, async (c) => {
    const all = await schedules.list();
    return c.json({ schedules: await Promise.all(all.map((s) => view(s))) } as never, 200);
  });

  app.openapi(create, async (c) => {
    const { name, ...input } = c.req.valid("json");
    return c.json((await view(await schedules.create(name, input))) as never, 201);
  });

  app.openapi(get, async (c) => {
    const { name } = c.req.valid("param");
    const query = c.req.valid("query");
    const schedule = await schedules.get(name);
    const history = await schedules.history(name, query.history ?? 20);
    const body = { ...(await view(schedule, query.preview ?? 10)), history: history.map(renderRun) };
    return c.json(body as never, 200);
  });

  app.openapi(put, async (c) => {
    const { schedule, created } = await schedules.put(c.req.valid("param").name, c.req.valid("json"));
    return c.json((await view(schedule)) as never, created ? 201 : 200);
  });

  app.openapi(remove, async (c) => {
    await schedules.delete(c.req.valid("param").name);
    return c.body(null, 204);
  });

  app.openapi(trigger, async (c) => {
    const { job } = await schedules.trigger(c.req.valid("param").name);
    return c.json(renderJob(job), 201);
  });

  app.openapi(pause, async (c) => c.json((await view(await schedules.pause(c.req.valid("param").name))) as never, 200));
  app.openapi(resume, async (c) => c.json((await view(await schedules.resume(c.req.valid("param").name))) as never, 200));
}
