/** @jsxImportSource hono/jsx */
/**
 * The dashboard: server-rendered pages under /, their live fragments and actions. Routes gather
 * data through the same services as the JSON API; views/ renders it; public/ styles it.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ApiDeps, ApiEnv } from "../api/env.ts";
import { clientGone } from "../api/errors.ts";
import { SpoolError } from "../core/errors.ts";
import { Flash } from "../../views/layout.tsx";
import { ProblemPage } from "../../views/pages/problem.tsx";
import { registerAssets } from "./assets.ts";
import { dashboardSession } from "./guard.ts";
import { fragment, page, type WebContext } from "./render.tsx";
import { registerAlerts } from "./routes/alerts.tsx";
import { registerJobs } from "./routes/jobs.tsx";
import { registerLanes } from "./routes/lanes.tsx";
import { registerWorkers } from "./routes/workers.tsx";
import { registerLive } from "./routes/live.ts";
import { registerLogin } from "./routes/login.tsx";
import { registerOverview } from "./routes/overview.tsx";
import { registerQueues } from "./routes/queues.tsx";
import { registerErrors } from "./routes/errors.tsx";
import { registerReports } from "./routes/reports.tsx";
import { registerSchedules } from "./routes/schedules.tsx";
import { registerServer } from "./routes/server.tsx";

/** The pages' paths: a request under these without a session is sent to sign in. */
const PAGES = ["/", "/queues", "/queues/*", "/jobs/*", "/workers", "/workers/*", "/schedules", "/schedules/*", "/lanes", "/lanes/*", "/errors", "/errors/*", "/alerts", "/alerts/*", "/reports", "/reports/*", "/server", "/server/*"];

export function createDashboard(deps: ApiDeps): Hono<ApiEnv> {
  const web = new Hono<ApiEnv>();
  registerAssets(web, deps.server.version);
  registerLogin(web, deps);
  registerLive(web, deps);
  for (const path of PAGES) web.use(path, dashboardSession(deps));

  registerOverview(web, deps);
  registerQueues(web, deps);
  registerAlerts(web, deps);
  registerSchedules(web, deps);
  registerErrors(web, deps);
  registerReports(web, deps);
  registerJobs(web, deps);
  registerLanes(web, deps);
  registerWorkers(web, deps);
  registerServer(web, deps);

  web.onError((err, c) => problem(c as WebContext, deps, err));
  return web;
}

/** Refusals and failures as the dashboard shows them: a flash for htmx, a page otherwise. */
async function problem(c: WebContext, deps: ApiDeps, err: Error) {
  let status = 500;
  let message = "unexpected server error; see the server log";
  if (err instanceof SpoolError) [status, message] = [err.status, err.message];
  else if (err instanceof HTTPException) [status, message] = [err.status, err.message || "bad request"];
  else if (clientGone(err)) [status, message] = [400, "the client closed the connection before the request was read"];
  else console.error("spool: unexpected error in the dashboard", err);
  if (status === 503) c.header("Retry-After", "5");
  if (!c.get("principal")) return c.text(message, status as 400);
  if (c.req.header("hx-request")) return fragment(c, deps, <Flash ok={false}>{message}</Flash>, status);
  return page(c, deps, "Problem", <ProblemPage status={status} message={message} />, status);
}
