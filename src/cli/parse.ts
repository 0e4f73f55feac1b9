/** Parsing CLI option values into what the API expects, with errors that name the option. */
import { InvalidArgumentError } from "commander";
import { parseDuration } from "../core/duration.ts";
import { jsonValueProblem } from "../core/json-value.ts";
import { Option } from "commander";
import { UsageError } from "./client.ts";

export function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('use a duration like "500ms", "10s", "5m" or "2h"');
  return ms;
}

export function intArg(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError("must be an integer");
  return Number(value);
}

/** An integer option limited to [min, max]. */
export function intBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = intArg(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be ${min}–${max}`);
    return n;
  };
}

/** A duration option limited to [min, max] ms; `range` says the limits as people write them. */
export function durationBetween(min: number, max: number, range: string): (value: string) => number {
  return (value) => {
    const ms = durationArg(value);
    if (ms < min || ms > max) throw new InvalidArgumentError(`must be from ${range}`);
    return ms;
  };
}

/** An ISO 8601 date and time with its zone (Z or an offset): a time read in some local zone would say nothing of which. */
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i;

/** An ISO 8601 time with its zone, passed on as written: the server judges the date itself (a 30 February is refused there, not moved to March). */
export function timeArg(value: string): string {
  if (!ISO_TIME.test(value)) throw new InvalidArgumentError("use an ISO 8601 time with its zone, like 2026-01-01T09:00:00Z or 2026-01-01T10:00:00+01:00");
  return value;
}

/** JSON from the option, or from stdin when the value is "-"; read while the command runs, so a bad value is a CliError. */
export async function jsonArg(value: string | undefined, what = "--data"): Promise<unknown> {
  if (value === undefined) return undefined;
  const text = value === "-" ? await Bun.stdin.text() : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${what} must be JSON (got ${text.slice(0, 40)})`);
  }
  // As the server would refuse it: a 1e309 would otherwise go out as null.
  const problem = jsonValueProblem(parsed);
  if (problem) throw new UsageError(`${what} ${problem}`);
  return parsed;
}

const ON = new Set(["1", "true", "yes", "on"]);
const OFF = new Set(["", "0", "false", "no", "off"]);

/**
 * A flag its environment variable may turn on. Commander turns a flag on when its variable is
 * set at all, whatever it says (`SPOOL_INSECURE=false` too), so the variable is read here:
 * 1, true, yes or on turn it on; 0, false, no, off or empty leave it off; anything else is
 * refused rather than guessed.
 */
export function envFlag(flags: string, description: string, env: string): Option {
  const option = new Option(flags, `${description} (env: ${env}=1)`);
  const raw = process.env[env];
  if (raw === undefined) return option;
  const value = raw.trim().toLowerCase();
  if (ON.has(value)) return option.default(true);
  if (OFF.has(value)) return option;
  throw new UsageError(`${env} must be 1, true, yes or on to turn ${flags} on, or 0, false, no, off or empty to leave it off (got "${raw}")`);
}
