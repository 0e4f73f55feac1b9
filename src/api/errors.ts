/** Every failure becomes one JSON shape: {"error": {"code", "message", "details"}}. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { SpoolError } from "../core/errors.ts";

/** A request whose connection the client closed before its body was read. */
export function clientGone(err: unknown): boolean {
  return (err as Error)?.name === "AbortError" && /connection was closed/i.test((err as Error).message);
}

/** How long a client is asked to wait before retrying a write storage could not take. */
const STORAGE_RETRY_AFTER_S = "5";

export function errorBody(code: string, message: string, details: unknown[] = []) {
  return { error: { code, message, details } };
}

export function errorResponse(c: Context, status: number, code: string, message: string, details: unknown[] = []) {
  return c.json(errorBody(code, message, details), status as 400);
}

const HTTP_CODES: Record<number, [string, string]> = {
  400: ["malformed_request", "the request body is not valid JSON"],
  401: ["unauthorized", "a valid bearer token is required"],
  404: ["not_found", "no such route"],
  413: ["payload_too_large", "the request body is too large"],
  415: ["unsupported_media_type", "send the body as JSON with Content-Type: application/json"],
};

type Issue = {
  path: (string | number)[]; message: string; code?: string; keys?: string[]; issues?: Issue[]; errors?: Issue[][]; expected?: string;
  maximum?: number | bigint; minimum?: number | bigint;
};

/** An integer field's own bound on what a number holds exactly (zod's `int()`), not one of spool's limits. */
const isSafeIntegerBound = (i: Issue) =>
  (i.code === "too_big" && Number(i.maximum) === Number.MAX_SAFE_INTEGER) || (i.code === "too_small" && Number(i.minimum) === Number.MIN_SAFE_INTEGER);

/** A field past the safe-integer range is told the field's own limit alone, not that bound as well. */
function withoutRedundantBounds(issues: Issue[]): Issue[] {
  const key = (i: Issue) => i.path.join("\u0000");
  return issues.filter((i) => !isSafeIntegerBound(i) || !issues.some((other) => other !== i && !isSafeIntegerBound(other) && key(other) === key(i)));
}

/** A validation's issues as the details a client reads, one or more to a field that is wrong. */
export function validationDetails(issues: Issue[], base: (string | number)[]): { path: string; message: string }[] {
  return withoutRedundantBounds(issues).flatMap((i) => issueDetails(i, base));
}

/** One issue as the details a client reads: each with the path of the field it is about. */
function issueDetails(i: Issue, base: (string | number)[]): { path: string; message: string }[] {
  const path = [...base, ...i.path];
  const at = (p: (string | number)[]) => p.join(".") || "body";
  if (i.code === "invalid_union" && i.errors?.length) {
    // A field that takes one shape or null (or another type): zod says only "Invalid input"; the
    // option the value was meant for, the only one not refused for its type alone, says why.
    const meant = i.errors.filter((option) => !(option.length === 1 && option[0]!.code === "invalid_type" && option[0]!.path.length === 0));
    if (meant.length === 1) return validationDetails(meant[0]!, path);
  }
  if (i.code === "unrecognized_keys" && i.keys?.length) return i.keys.map((key) => ({ path: at([...path, key]), message: "unknown field" }));
  // A record's key that its schema refused: zod says only "Invalid key in record"; the key's own checks say why.
  if (i.code === "invalid_key" && i.issues?.length) return [{ path: at(path), message: `key ${i.issues.map((k) => k.message).join("; ")}` }];
  return [{ path: at(path), message: i.message }];
}

/**
 * The app's onError: our errors keep their code (every store reports storage it cannot use as
 * StorageUnavailable: 503 with Retry-After); framework errors get a code of their own; the rest is 500.
 */
export function handleError(err: Error, c: Context) {
  if (err instanceof SpoolError) {
    if (err.status === 429) c.header("Retry-After", String(err.details[0] ?? 1));
    if (err.code === "storage_unavailable") c.header("Retry-After", STORAGE_RETRY_AFTER_S);
    return errorResponse(c, err.status, err.code, err.message, err.details);
  }
  if (err instanceof HTTPException) {
    const [code, message] = HTTP_CODES[err.status] ?? ["http_error", err.message];
    const detail = err.status === 400 && err.message && err.message !== "Bad Request" ? [err.message] : [];
    return errorResponse(c, err.status, code, message, detail);
  }
  // The client hung up while its body was read: nobody is left to answer, and nothing is wrong here.
  if (clientGone(err)) return errorResponse(c, 400, "client_closed_request", "the client closed the connection before the request was read");
  console.error("spool: unexpected error", err);
  return errorResponse(c, 500, "internal", "unexpected server error; see the server log");
}

/**
 * zod-openapi's defaultHook: validation failures name each field that is wrong. Body fields
 * are named as sent (`jobs.3.priority`), like the core's own checks; the other parts of the
 * request carry their prefix (`query.state`, `param.queue`).
 */
export function validationHook(result: { success: boolean; error?: any; target: string }, c: Context) {
  if (result.success) return;
  const prefix = result.target === "json" ? [] : [result.target];
  const details = validationDetails(result.error?.issues ?? [], prefix);
  const summary = details.map((d) => `${d.path}: ${d.message}`).join("; ");
  return errorResponse(c, 400, "validation_failed", `invalid request: ${summary}`, details);
}
