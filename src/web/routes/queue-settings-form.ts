/**
 * The queue settings form as text fields and back: a queue's config shown as the form's values,
 * and the values read into the settings PUT /v1/queues/{queue} takes — checked by the same schema —
 * with each problem named by the field it belongs beside.
 */
import { validationDetails } from "../../api/errors.ts";
import { QueueSettingsBody } from "../../api/schemas/queue.ts";
import { parseDuration } from "../../core/duration.ts";
import { validationFailed, type SpoolError } from "../../core/errors.ts";
import type { QueueConfig, QueueSettings } from "../../core/queue-config.ts";
import type { FieldErrors } from "../../../views/components/queue-form-field.tsx";
import type { SettingsValues } from "../../../views/pages/queue-settings.tsx";

const UNITS: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]];

/** Milliseconds as the form writes them: the largest unit that divides them ("30d", "90s", "1500ms"). */
export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  if (ms === 0) return "0";
  const [unit, size] = UNITS.find(([, n]) => ms % n === 0) ?? ["ms", 1];
  return `${ms / size}${unit}`;
}

const text = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

export function settingsValues(config: QueueConfig): SettingsValues {
  const { defaults, retryPolicy, retention, target, rateLimit } = config;
  return {
    concurrency: text(config.concurrency),
    rateLimitMax: text(rateLimit?.max),
    rateLimitInterval: durationText(rateLimit?.intervalMs),
    defaultPriority: text(defaults.priority),
    defaultMaxAttempts: text(defaults.maxAttempts),
    backoffType: defaults.backoff?.type ?? "",
    backoffDelay: durationText(defaults.backoff?.delayMs),
    defaultTimeout: durationText(defaults.timeoutMs),
    noRetry: (retryPolicy.noRetry ?? []).join(", "),
    byType: retryPolicy.byType && Object.keys(retryPolicy.byType).length > 0 ? JSON.stringify(retryPolicy.byType, null, 2) : "",
    laneOnFailure: config.laneOnFailure,
    retentionCompleted: durationText(retention?.completedMs),
    retentionFailed: durationText(retention?.failedMs),
    retentionCancelled: durationText(retention?.cancelledMs),
    targetUrl: target?.url ?? "",
    targetHeaders: Object.entries(target?.headers ?? {}).map(([name, value]) => `${name}: ${value}`).join("\n"),
    targetTimeout: durationText(target?.timeoutMs),
  };
}

/** Which form field a settings path (as the schema names it) belongs beside; the first prefix that matches wins. */
const FIELD_OF: [string, string][] = [
  ["concurrency", "concurrency"],
  ["rateLimit.intervalMs", "rateLimitInterval"],
  ["rateLimit", "rateLimitMax"],
  ["defaults.priority", "defaultPriority"],
  ["defaults.maxAttempts", "defaultMaxAttempts"],
  ["defaults.backoff.type", "backoffType"],
  ["defaults.backoff", "backoffDelay"],
  ["defaults.timeoutMs", "defaultTimeout"],
  ["retryPolicy.noRetry", "noRetry"],
  ["retryPolicy", "byType"],
  ["laneOnFailure", "laneOnFailure"],
  ["retention.completedMs", "retentionCompleted"],
  ["retention.failedMs", "retentionFailed"],
  ["retention", "retentionCancelled"],
  ["target.headers", "targetHeaders"],
  ["target.timeoutMs", "targetTimeout"],
  ["target", "targetUrl"],
];

/** A refusal's details ({path, message}) as messages beside the form's fields. */
export function fieldErrors(err: SpoolError): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of err.details as { path?: string; message?: string }[]) {
    const field = FIELD_OF.find(([prefix]) => detail.path === prefix || detail.path?.startsWith(prefix + "."))?.[1] ?? "form";
    errors[field] ??= detail.message ?? err.message;
  }
  if (Object.keys(errors).length === 0) errors.form = err.message;
  return errors;
}

/**
 * Reads the form into the settings it describes (every field the form holds; an empty field
 * clears its setting). Backoff options and a target's concurrency the form does not show keep
 * their current value. Throws validation_failed with one detail per wrong field.
 */
export function readSettings(values: SettingsValues, current: QueueConfig): Partial<QueueSettings> {
  const issues: { path: string; message: string }[] = [];
  const v = (name: string) => (values[name] ?? "").trim();
  const integer = (name: string, path: string): number | undefined => {
    if (v(name) === "") return undefined;
    if (!/^-?\d+$/.test(v(name))) return void issues.push({ path, message: "must be a whole number" });
    return Number(v(name));
  };
  const ms = (name: string, path: string): number | undefined => {
    if (v(name) === "") return undefined;
    const parsed = parseDuration(v(name));
    if (parsed === null) return void issues.push({ path, message: 'must be a duration like 500ms, 30s, 5m, 2h or 30d' });
    return parsed;
  };
  const json = (name: string, path: string): unknown => {
    if (v(name) === "") return undefined;
    try {
      return JSON.parse(v(name));
    } catch {
      return void issues.push({ path, message: "must be JSON" });
    }
  };

  const max = integer("rateLimitMax", "rateLimit.max");
  const intervalMs = ms("rateLimitInterval", "rateLimit.intervalMs");
  if ((max === undefined) !== (intervalMs === undefined) && !issues.some((i) => i.path.startsWith("rateLimit"))) {
    issues.push({ path: max === undefined ? "rateLimit.max" : "rateLimit.intervalMs", message: "give both the number of starts and the interval, or neither" });
  }
  const backoffType = v("backoffType");
  const backoffDelay = ms("backoffDelay", "defaults.backoff.delayMs");
  const { type: _type, delayMs: _delayMs, ...backoffRest } = current.defaults.backoff ?? {};
  const noRetry = v("noRetry").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  const byType = json("byType", "retryPolicy.byType");
  const headers: Record<string, string> = {};
  for (const line of v("targetHeaders").split("\n").map((l) => l.trim()).filter(Boolean)) {
    const colon = line.indexOf(":");
    if (colon <= 0) issues.push({ path: "target.headers", message: `"${line}" is not a header line: write Name: value` });
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  const url = v("targetUrl");
  const targetTimeout = ms("targetTimeout", "target.timeoutMs");
  if (!url && (Object.keys(headers).length > 0 || targetTimeout !== undefined)) issues.push({ path: "target.url", message: "headers and a timeout need a URL" });
  const retention = {
    completedMs: ms("retentionCompleted", "retention.completedMs"),
    failedMs: ms("retentionFailed", "retention.failedMs"),
    cancelledMs: ms("retentionCancelled", "retention.cancelledMs"),
  };

  const settings = {
    concurrency: integer("concurrency", "concurrency") ?? null,
    rateLimit: max !== undefined && intervalMs !== undefined ? { max, intervalMs } : null,
    defaults: {
      priority: integer("defaultPriority", "defaults.priority"),
      maxAttempts: integer("defaultMaxAttempts", "defaults.maxAttempts"),
      backoff: backoffType || backoffDelay !== undefined ? { ...backoffRest, type: backoffType || undefined, delayMs: backoffDelay } : undefined,
      timeoutMs: ms("defaultTimeout", "defaults.timeoutMs"),
    },
    retryPolicy: { noRetry: noRetry.length > 0 ? noRetry : undefined, byType },
    laneOnFailure: v("laneOnFailure") || "continue",
    retention: Object.values(retention).some((x) => x !== undefined) ? retention : null,
    target: url
      ? { url, headers: Object.keys(headers).length > 0 ? headers : undefined, timeoutMs: targetTimeout, concurrency: current.target?.concurrency }
      : null,
  };
  // What did read is checked by the API's schema too, so the form shows every problem at once
  // (a field refused above is not named twice).
  const checked = QueueSettingsBody.safeParse(JSON.parse(JSON.stringify(settings)));
  if (checked.success && issues.length === 0) return checked.data as Partial<QueueSettings>;
  const named = issues.map((i) => i.path);
  for (const { path, message } of validationDetails((checked.error?.issues ?? []) as Parameters<typeof validationDetails>[0], [])) {
    if (!named.some((n) => path === n || path.startsWith(n + "."))) issues.push({ path, message });
  }
  throw validationFailed(`invalid settings: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues);
}
