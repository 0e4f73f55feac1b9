/**
 * Handlers loaded from a file for `spool serve --handlers ./jobs.ts`. The file exports
 * `handlers`: queue name → handler, or → {handler, concurrency, leaseMs, …}.
 *
 *   export const handlers = {
 *     emails: { concurrency: 10, handler: async (job, ctx) => send(job.payload) },
 *     thumbnails: async (job) => resize(job.payload),
 *   };
 */
import { isAbsolute, resolve } from "node:path";
import { CannotStart } from "../core/errors.ts";
import { isOwnQueue } from "../core/job.ts";
import type { Handler } from "./handler.ts";
import { workProblem, type JobRunner, type WorkOptions } from "./job-runner.ts";
import type { Spool } from "./spool.ts";

export type HandlerSpec = Handler | (WorkOptions & { handler: Handler });
export type Handlers = Record<string, HandlerSpec>;

export class HandlersFileError extends CannotStart {}

const SHAPE = "export `handlers`: { queueName: async (job, ctx) => result } (or { queueName: { handler, concurrency } })";

/** Imports the file and checks what it exports. */
export async function loadHandlers(path: string): Promise<Handlers> {
  const file = isAbsolute(path) ? path : resolve(path);
  let module: Record<string, unknown>;
  try {
    module = await import(file);
  } catch (err) {
    throw new HandlersFileError(`cannot load handlers from ${path}: ${(err as Error).message}`);
  }
  const handlers = module.handlers;
  if (!handlers || typeof handlers !== "object") throw new HandlersFileError(`${path} must ${SHAPE}`);
  for (const [queue, spec] of Object.entries(handlers)) {
    if (isOwnQueue(queue)) throw new HandlersFileError(`${path}: "${queue}" is spool's own queue; its jobs are spool's to run`);
    const fn = typeof spec === "function" ? spec : (spec as { handler?: unknown })?.handler;
    if (typeof fn !== "function") throw new HandlersFileError(`${path}: handlers["${queue}"] is not a function; the file must ${SHAPE}`);
    const problem = workProblem(queue, typeof spec === "function" ? {} : (spec as WorkOptions));
    if (problem) throw new HandlersFileError(`${path}: handlers["${queue}"]: ${problem}`);
  }
  return handlers as Handlers;
}

/** Starts one worker per queue. */
export function startHandlers(spool: Spool, handlers: Handlers): JobRunner[] {
  return Object.entries(handlers).map(([queue, spec]) =>
    typeof spec === "function" ? spool.work(queue, spec) : spool.work(queue, spec.handler, spec),
  );
}
