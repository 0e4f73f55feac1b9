/** Validating a schedule definition (cron and time zone with croner) and merging edits onto a stored one. */
import { enqueueIssues } from "../core/enqueue.ts";
import { jsonValueProblem } from "../core/json-value.ts";
import { validationFailed } from "../core/errors.ts";
import { NAME_RULE, QUEUE_NAME } from "../core/job.ts";
import type { ScheduleDefinition, ScheduleJobOptions } from "../core/schedule-store.ts";
import { canonicalTimezone, cronOf, parseEvery } from "./timing.ts";

/** What a client sends to create or edit a schedule; every field may be missing on an edit. */
export type ScheduleInput = {
  cron?: string | null;
  every?: string | null;
  timezone?: string;
  queue?: string;
  payload?: unknown;
  jobOptions?: ScheduleJobOptions;
  enabled?: boolean;
  overlap?: string;
  catchUp?: string;
};

type Issue = { path: string; message: string };

export const SCHEDULE_NAME = QUEUE_NAME;
const JOB_OPTION_KEYS = ["key", "priority", "maxAttempts", "backoff", "timeoutMs", "delayMs"];

export const DEFAULT_TIMEZONE = "UTC";

/**
 * The definition that results from applying `input` to `base` (null when creating).
 * Setting `cron` clears `every` and the reverse. Every problem is reported at once, each
 * naming its field; the message names them too.
 */
export function resolveSchedule(name: string, input: ScheduleInput, base: ScheduleDefinition | null): ScheduleDefinition {
  const issues: Issue[] = [];
  const at = (path: string, message: string) => issues.push({ path, message });
  if (typeof name !== "string" || !SCHEDULE_NAME.test(name)) at("name", `must be ${NAME_RULE}`);
  if (typeof input !== "object" || input === null) throw validationFailed("a schedule must be a JSON object");

  const givesCron = input.cron !== undefined && input.cron !== null;
  const givesEvery = input.every !== undefined && input.every !== null;
  if (givesCron && givesEvery) at("every", "give cron or every, not both");
  const cron = givesCron ? input.cron! : givesEvery ? null : input.cron === null ? null : (base?.cron ?? null);
  const every = givesEvery ? input.every! : givesCron ? null : input.every === null ? null : (base?.every ?? null);
  if (cron === null && every === null) at("cron", "a schedule needs cron (an expression) or every (an interval such as \"30s\")");

  const given = input.timezone ?? base?.timezone ?? DEFAULT_TIMEZONE;
  const canonical = typeof given === "string" ? canonicalTimezone(given) : null;
  if (canonical === null) at("timezone", `unknown time zone "${String(given)}": use an IANA name such as "Europe/Paris" or "UTC" (for a fixed offset, "Etc/GMT-2" is UTC+2)`);
  const timezone = canonical ?? DEFAULT_TIMEZONE;

  if (cron !== null) {
    const fields = typeof cron === "string" && !cron.trim().startsWith("@") ? cron.trim().split(/\s+/).length : null;
    if (typeof cron !== "string") at("cron", "must be a string");
    else if (fields !== null && fields !== 5 && fields !== 6) {
      at("cron", `invalid cron "${cron}": a cron has 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; this one has ${fields}`);
    } else {
      try {
        const next = cronOf(cron, timezone).nextRun();
        if (next === null) at("cron", `"${cron}" never fires`);
      } catch (err) {
        at("cron", `invalid cron "${cron}": ${(err as Error).message.replace(/^CronPattern: /, "")}`);
      }
    }
  }
  if (every !== null && (typeof every !== "string" || parseEvery(every) === null)) {
    at("every", `invalid interval "${String(every)}": write a whole number of seconds, minutes, hours or days from 1s to 366d, such as "30s", "5m", "1h"`);
  }

  const queue = input.queue ?? base?.queue;
  if (queue === undefined) at("queue", "is required");
  else if (typeof queue !== "string" || !QUEUE_NAME.test(queue)) at("queue", `must be ${NAME_RULE}`);

  const jobOptions = input.jobOptions ?? base?.jobOptions ?? {};
  if (typeof jobOptions !== "object" || jobOptions === null || Array.isArray(jobOptions)) at("jobOptions", "must be an object");
  else {
    for (const k of Object.keys(jobOptions)) if (!JOB_OPTION_KEYS.includes(k)) at(`jobOptions.${k}`, `is not a schedule job option (use ${JOB_OPTION_KEYS.join(", ")})`);
    issues.push(...enqueueIssues(jobOptions, "jobOptions."));
  }

  const payloadProblem = jsonValueProblem(input.payload);
  if (payloadProblem) at("payload", payloadProblem);

  const enabled = input.enabled ?? base?.enabled ?? true;
  if (typeof enabled !== "boolean") at("enabled", "must be true or false");
  const overlap = input.overlap ?? base?.overlap ?? "allow";
  if (overlap !== "allow" && overlap !== "skip") at("overlap", 'must be "allow" or "skip"');
  const catchUp = input.catchUp ?? base?.catchUp ?? "one";
  if (catchUp !== "one" && catchUp !== "none") at("catchUp", 'must be "one" or "none"');

  if (issues.length) {
    throw validationFailed(`invalid schedule: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues);
  }
  const payload = input.payload !== undefined ? input.payload : (base?.payload ?? null);
  return {
    name, cron, every, timezone, queue: queue!, payload, jobOptions,
    enabled: enabled as boolean, overlap: overlap as ScheduleDefinition["overlap"], catchUp: catchUp as ScheduleDefinition["catchUp"],
  };
}
