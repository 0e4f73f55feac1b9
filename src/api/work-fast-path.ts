/**
 * The busy worker's requests — claim, complete, batch complete, fail, heartbeat — answered without the router's
 * middleware chain. A pull worker makes thousands of these a second, and hono's chain (body
 * limit, auth, reserved queues, permission, media type, two validators, each an async layer)
 * cost about as much as the queue work itself. Only plain requests take this path: a worker's
 * token (or open mode), a JSON body with a length, valid fields. Anything else — a session
 * cookie, a browser's headers, an unknown token, bad JSON, a field the schema refuses, a rate
 * limit — goes through the app as before, so every refusal keeps its documented answer.
 */
import type { z } from "@hono/zod-openapi";
import { Context } from "hono";
import { SpoolError } from "../core/errors.ts";
import { bearerOf, isReservedQueue, may } from "./auth.ts";
import type { ApiDeps, Principal } from "./env.ts";
import { handleError } from "./errors.ts";
import { JsonText } from "./json-text.ts";
import { utf8Text } from "./utf8-body.ts";
import {
  ClaimBody, claimAnswer, CompleteBody, completeAnswer, CompleteManyBody, completeManyAnswer, FailBody, failAnswer, HeartbeatBody,
  heartbeatAnswer,
} from "./routes/work.ts";
import { JobId, QueueName } from "./schemas/common.ts";

type Fetch = (req: Request, ...rest: any[]) => Response | Promise<Response>;

/** Answers a matched request from its parsed body; null when the body is not one the fast path takes. */
type Answer = (deps: ApiDeps, param: string, body: unknown, signal: AbortSignal) => Promise<unknown> | null;

/** The route's own answer, for bodies its schema accepts; null (the app answers, with its refusal) for any other. */
function answering<B>(schema: z.ZodType<B>, answer: (deps: ApiDeps, param: string, body: B, signal: AbortSignal) => Promise<unknown>): Answer {
  return (deps, param, body, signal) => {
    const parsed = schema.safeParse(body);
    return parsed.success ? answer(deps, param, parsed.data, signal) : null;
  };
}

const claim = answering(ClaimBody, claimAnswer);
const complete = answering(CompleteBody, completeAnswer);
const completeMany = answering(CompleteManyBody, (deps, _param, body) => completeManyAnswer(deps, body));
const fail = answering(FailBody, failAnswer);
const heartbeat = answering(HeartbeatBody, heartbeatAnswer);

/** A job's worker actions by the last segment of `/v1/jobs/{id}/…`. */
const JOB_ACTIONS: Record<string, Answer> = { complete, fail, heartbeat };

/** The route a POST path names, with its one path parameter; null for any other path. */
function match(path: string): { answer: Answer; param: string } | null {
  // Percent-encoded paths are left to the router, which decodes them.
  if (path.includes("%")) return null;
  if (path === "/v1/jobs/complete") return { answer: completeMany, param: "" };
  if (path.startsWith("/v1/queues/") && path.endsWith("/claim")) {
    const queue = path.slice("/v1/queues/".length, -"/claim".length);
    return !queue.includes("/") && QueueName.safeParse(queue).success && !isReservedQueue(queue) ? { answer: claim, param: queue } : null;
  }
  if (path.startsWith("/v1/jobs/")) {
    const [id, action, ...rest] = path.slice("/v1/jobs/".length).split("/");
    const answer = action === undefined ? undefined : JOB_ACTIONS[action];
    return answer && rest.length === 0 && JobId.safeParse(id).success ? { answer, param: id! } : null;
  }
  return null;
}

function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const end = url.search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

/** A worker's principal when the request carries nothing the app's auth would treat otherwise; null to let the app decide. */
async function workerPrincipal(deps: ApiDeps, headers: Headers): Promise<Principal | null> {
  const authorization = headers.get("authorization");
  if (authorization === null) {
    // Open mode, called by a script: a browser's request (cookie, origin) gets the app's checks.
    if (headers.has("cookie") || headers.has("origin") || headers.has("sec-fetch-site")) return null;
    return (await deps.auth.required()) ? null : deps.auth.open();
  }
  const bearer = bearerOf(authorization);
  if (!bearer || !(await deps.auth.required())) return null;
  return deps.auth.fromToken(bearer);
}

/** Wraps the app's fetch: claim and complete requests that qualify are answered here, all others by `appFetch`. */
export function withWorkFastPath(deps: ApiDeps, appFetch: Fetch): Fetch {
  if (deps.rateLimitPerSecond > 0) return appFetch;
  const maxBytes = deps.server.bodyLimitBytes;
  return (req, ...rest) => {
    if (req.method !== "POST") return appFetch(req, ...rest);
    const route = match(pathOf(req.url));
    if (!route) return appFetch(req, ...rest);
    const headers = req.headers;
    const length = headers.get("content-length");
    const type = headers.get("content-type");
    if (length === null || headers.has("transfer-encoding") || Number.parseInt(length, 10) > maxBytes) return appFetch(req, ...rest);
    if (type === null || type.split(";")[0]!.trim().toLowerCase() !== "application/json") return appFetch(req, ...rest);
    return answer(deps, route, req, () => appFetch(req, ...rest), (body) => appFetch(rebuilt(req, body), ...rest));
  };
}

async function answer(
  deps: ApiDeps,
  route: { answer: Answer; param: string },
  req: Request,
  asBefore: () => Response | Promise<Response>,
  withBody: (body: string) => Response | Promise<Response>,
): Promise<Response> {
  let text: string;
  try {
    const principal = await workerPrincipal(deps, req.headers);
    if (!principal || !may(principal, "work")) return asBefore();
    text = utf8Text(await req.arrayBuffer());
  } catch (err) {
    return refusal(err, req);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return withBody(text);
  }
  try {
    const answered = route.answer(deps, route.param, body, req.signal);
    if (answered === null) return withBody(text);
    return new Response(JsonText.of(await answered), { status: 200, headers: { "Content-Type": "application/json" } });
  } catch (err) {
    return refusal(err, req);
  }
}

/** The answer to an error, as the app's onError gives it. */
function refusal(err: unknown, req: Request): Response | Promise<Response> {
  return handleError(err instanceof Error ? err : new SpoolError("internal", 500, String(err)), new Context(req));
}

/** The request again, with its body as read, for the app to answer after the fast path read it. */
function rebuilt(req: Request, body: string): Request {
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
}
