/**
 * Running one job's command: `sh -c CMD` in its own process group, the payload JSON on
 * stdin, SPOOL_JOB_ID / SPOOL_ATTEMPT / SPOOL_QUEUE in its environment. Its exit decides
 * the outcome: 0 completes (stdout JSON → result, else the text), non-zero fails with the
 * tail of stderr. `kill` ends the whole group (TERM, then KILL after a few seconds).
 */
import { jsonValueProblem } from "../core/json-value.ts";
import type { Failure } from "./handler.ts";
import { readCapped, readTail } from "./stream-text.ts";

/** Why spool ended a command itself. */
export type KillReason = "timeout" | "cancelled" | "lease_lost" | "shutdown";

export type CommandRun = {
  /** Resolves with the job's outcome once the command has exited. */
  outcome: Promise<CommandOutcome>;
  kill(reason: KillReason): void;
};

export type CommandOutcome =
  | { kind: "completed"; result: unknown }
  | { kind: "failed"; failure: Failure }
  | { kind: "killed"; reason: KillReason };

export type CommandSpec = {
  command: string;
  payload: unknown;
  env: Record<string, string>;
  /** stdout beyond this fails the job (it would not fit in a result). */
  maxOutputBytes: number;
  /** After TERM, how long the group has before KILL. */
  killAfterMs?: number;
};

const STDERR_TAIL = 2000;

export function runCommand(spec: CommandSpec): CommandRun {
  const child = Bun.spawn(["sh", "-c", spec.command], {
    stdin: new Blob([JSON.stringify(spec.payload ?? null)]),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...spec.env },
    detached: true,
  });
  let killedFor: KillReason | null = null;
  let forceTimer: ReturnType<typeof setTimeout> | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const outcome = (async (): Promise<CommandOutcome> => {
    const reads = Promise.all([readCapped(child.stdout, spec.maxOutputBytes, { drain: true }), readTail(child.stderr, STDERR_TAIL)]);
    const code = await child.exited;
    clearTimeout(forceTimer);
    // Children the command left behind belong to the job too (and would keep its pipes open).
    signalGroup("SIGKILL");
    const [stdout, stderr] = await reads;
    if (killedFor) return { kind: "killed", reason: killedFor };
    if (code === 0) {
      if (stdout.overflow) return failed("output_too_large", `the command wrote more than ${spec.maxOutputBytes} bytes to stdout`, false);
      return { kind: "completed", result: resultOf(stdout.text) };
    }
    const tail = stderr.trim();
    if (child.signalCode) return failed(`signal_${child.signalCode}`, `the command was killed by ${child.signalCode}${tail ? `: ${tail}` : ""}`);
    return failed(`exit_${code}`, `the command exited with code ${code}${tail ? `: ${tail}` : ""}`);
  })();
  return {
    outcome,
    kill(reason) {
      if (killedFor || child.exitCode !== null) return;
      killedFor = reason;
      signalGroup("SIGTERM");
      forceTimer = setTimeout(() => signalGroup("SIGKILL"), spec.killAfterMs ?? 5000);
    },
  };
}

function failed(type: string, message: string, retry?: boolean): CommandOutcome {
  return { kind: "failed", failure: { error: { type, message: message.slice(0, 10_000) }, ...(retry === undefined ? {} : { retry }) } };
}

/**
 * stdout that is JSON becomes JSON; other text is kept as text, and so is JSON a result cannot
 * hold (1e309, which would be stored as null, or nesting past the limit); nothing at all is null.
 */
function resultOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const asText = text.replace(/\n$/, "");
  try {
    const value: unknown = JSON.parse(trimmed);
    return jsonValueProblem(value) === null ? value : asText;
  } catch {
    return asText;
  }
}
