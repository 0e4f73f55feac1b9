/** Parsing CLI option values into what the API expects, with errors that name the option. */
import { InvalidArgumentError } from "commander";
import { parseDuration } from "../core/duration.ts";
import { CliError } from "./client.ts";

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

export function timeArg(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError("use an ISO 8601 time like 2026-01-01T09:00:00Z");
  return new Date(ms).toISOString();
}

/** JSON from the option, or from stdin when the value is "-"; read while the command runs, so a bad value is a CliError. */
export async function jsonArg(value: string | undefined, what = "--data"): Promise<unknown> {
  if (value === undefined) return undefined;
  const text = value === "-" ? await Bun.stdin.text() : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${what} must be JSON (got ${text.slice(0, 40)})`);
  }
}
