/**
 * One push delivery: POST the job as JSON to the queue's target, signed, and read the answer.
 * 2xx completes (a JSON body becomes the result); 4xx other than 408/429 fails for good;
 * other answers, time-outs and connection errors fail under the retry policy, honouring
 * Retry-After.
 */
import { jobJson } from "../core/job-json.ts";
import type { Job } from "../core/job.ts";
import { jsonValueProblem } from "../core/json-value.ts";
import type { PushTarget } from "../core/queue-config.ts";
import { GIVEN_BACK } from "../core/retry.ts";
import { VERSION } from "../version.ts";
import type { Failure } from "./handler.ts";
import { SIGNATURE_HEADER, signatureHeader } from "./push-signature.ts";
import { readCapped } from "./stream-text.ts";

const MAX_RETRY_AFTER_MS = 86_400_000;
const MAX_RESULT_TEXT = 64 * 1024;
/** The most of an answer read: a result as large as the API takes in a request (1 MiB by default). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export type DeliveryOutcome = { completed: true; result: unknown } | { completed: false; failure: Failure };

export type Delivery = {
  job: Job;
  target: PushTarget;
  /** Secrets to sign with: the current one, and the previous one during a rotation. */
  secrets: string[];
  /** How long to wait for the answer (the target's timeout, cut short by the job's own deadline). */
  timeoutMs: number;
  /** Aborted when spool shuts down: the job is given back to run again at once. */
  signal: AbortSignal;
  /** Aborted when the job is asked to cancel: the attempt ends as cancelled. */
  cancelled: AbortSignal;
  /** Unix seconds for the signature. */
  nowS: number;
};

export async function deliver(d: Delivery): Promise<DeliveryOutcome> {
  const body = jobJson(d.job);
  // Names compare without case: spool's own values replace a target's, never sit beside them
  // (a target's User-Agent is kept).
  const headers = new Headers({ "user-agent": `spool/${VERSION}` });
  try {
    for (const [name, value] of Object.entries(d.target.headers ?? {})) headers.set(name, value);
  } catch (err) {
    // Stored before header names were checked: it runs again once the target is fixed.
    return failed("invalid_target", `the target's headers cannot be sent: ${(err as Error).message}`);
  }
  headers.set("content-type", "application/json");
  headers.set("spool-job-id", d.job.id);
  headers.set("spool-attempt", String(d.job.attempts));
  headers.set(SIGNATURE_HEADER, signatureHeader({ secrets: d.secrets, timestamp: d.nowS, body }));
  const timeout = AbortSignal.timeout(Math.max(1, d.timeoutMs));
  let res: Response;
  let text: string;
  try {
    res = await fetch(d.target.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.any([d.signal, timeout, d.cancelled]) });
    // At most MAX_ANSWER_BYTES of it: a longer answer is cut there (and so kept as clipped text,
    // JSON or not), so a target cannot fill the server's memory or its database.
    const answer = res.body ? await readCapped(res.body, MAX_ANSWER_BYTES, { drain: false }) : { text: "", overflow: false };
    text = answer.overflow ? answer.text.slice(0, MAX_RESULT_TEXT) : answer.text;
  } catch (err) {
    if (d.cancelled.aborted) return failed("cancelled", "the job was cancelled before its target answered", { retry: false });
    if (d.signal.aborted) return failed(GIVEN_BACK, "spool shut down before the target answered", { retryInMs: 0 });
    if (timeout.aborted) return failed("timeout", `the target did not answer within ${d.timeoutMs} ms`);
    return failed("connection_failed", `could not reach the target: ${(err as Error).message}`);
  }
  if (res.status >= 200 && res.status < 300) return { completed: true, result: resultOf(text) };
  const message = `the target answered ${res.status}${text ? `: ${text.slice(0, 500)}` : ""}`;
  const type = `http_${res.status}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return failed(type, message, { retry: false });
  const retryInMs = retryAfterMs(res.headers.get("retry-after"), d.nowS * 1000);
  return failed(type, message, retryInMs === null ? {} : { retryInMs });
}

function failed(type: string, message: string, extra: { retry?: boolean; retryInMs?: number } = {}): DeliveryOutcome {
  return { completed: false, failure: { error: { type, message }, ...extra } };
}

/** A JSON body as JSON, an empty one as null, anything else (including JSON spool cannot store) as (clipped) text. */
function resultOf(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    const parsed = JSON.parse(text);
    if (jsonValueProblem(parsed) === null) return parsed;
  } catch {
    // Not JSON: kept as text below.
  }
  return text.slice(0, MAX_RESULT_TEXT);
}

/** Retry-After in seconds or as an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}
