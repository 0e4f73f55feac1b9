/** `spool job add|get|ls|cancel|retry`. */
import { Command, Option } from "commander";
import { countedAttempts } from "../core/retry.ts";
import { clientOf } from "./context.ts";
import { ago, print, record, table } from "./output.ts";
import { durationArg, intArg, jsonArg, timeArg } from "./parse.ts";

const STATES = ["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"];

/** Attempts against maxAttempts as they count: "1/3", and "+2 given back" for those a shutdown gave back, which do not. */
export function attemptsText(job: { attempts: number; maxAttempts: number; givenBack?: number }): string {
  const back = job.givenBack ?? 0;
  return `${countedAttempts({ attempts: job.attempts, givenBack: back })}/${job.maxAttempts}${back > 0 ? ` +${back} given back` : ""}`;
}

export function jobSummary(job: any): string {
  return record([
    ["id", job.id], ["queue", job.queue], ["state", job.state], ["key", job.key], ["priority", job.priority],
    ["attempts", attemptsText(job)], ["run at", job.runAt], ["created", job.createdAt],
    ["started", job.startedAt], ["finished", job.finishedAt], ["progress", job.progress], ["payload", job.payload],
    ["result", job.result], ["checkpoint", job.checkpoint],
    ["last error", job.errors.length ? `${job.errors.at(-1).type}: ${job.errors.at(-1).message}` : null],
  ]);
}

export function registerJobCommands(program: Command): void {
  const job = program.command("job").description("enqueue and manage jobs");

  job
    .command("add <queue>")
    .description("enqueue a job")
    .option("--data <json>", 'payload as JSON, or "-" to read it from stdin')
    .option("--key <key>", "ordering key: jobs with the same key run one at a time, in order")
    .option("--priority <n>", "0–10, higher first (default 5)", intArg)
    .option("--delay <duration>", 'run after a delay, e.g. "10s"', durationArg)
    .option("--run-at <time>", "run at an ISO 8601 time", timeArg)
    .option("--max-attempts <n>", "attempts before the job fails (default 3)", intArg)
    .option("--timeout <duration>", "hard limit for one attempt", durationArg)
    .option("--idempotency-key <key>", "return the existing job if this key was used in the queue")
    .action(async (queue: string, o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const body = {
        payload: await jsonArg(o.data),
        key: o.key,
        priority: o.priority,
        delayMs: o.delay,
        runAt: o.runAt,
        maxAttempts: o.maxAttempts,
        timeoutMs: o.timeout,
        idempotencyKey: o.idempotencyKey,
      };
      const created = await api.request("POST", `/v1/queues/${encodeURIComponent(queue)}/jobs`, body);
      print(json, created, () => `${created.id}  ${created.state}  ${created.queue}`);
    });

  job
    .command("get <id>")
    .description("show one job with its payload, result and last error")
    .action(async (id: string, _o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const found = await api.request("GET", `/v1/jobs/${encodeURIComponent(id)}`);
      print(json, found, () => jobSummary(found));
    });

  job
    .command("ls")
    .description("list jobs, newest first")
    .option("--queue <queue>", "only this queue")
    .addOption(new Option("--state <state>", "only this state").choices(STATES))
    .option("--key <key>", "only this ordering key")
    .option("--search <text>", "search in id, key and payload")
    .option("--limit <n>", "how many (default 50, at most 500)", intArg)
    .option("--cursor <cursor>", "continue from a previous page")
    .action(async (o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries({ queue: o.queue, state: o.state, key: o.key, q: o.search, limit: o.limit, cursor: o.cursor })) {
        if (v !== undefined) query.set(k, String(v));
      }
      const page = await api.request("GET", `/v1/jobs?${query}`);
      print(json, page, () => {
        const rows = table(page.jobs, [
          { header: "id", value: (j: any) => j.id, align: "right" },
          { header: "queue", value: (j: any) => j.queue },
          { header: "state", value: (j: any) => j.state },
          { header: "key", value: (j: any) => j.key },
          { header: "pri", value: (j: any) => j.priority, align: "right" },
          { header: "tries", value: (j: any) => attemptsText(j), align: "right" },
          { header: "age", value: (j: any) => ago(j.createdAt), align: "right" },
          { header: "payload", value: (j: any) => j.payload },
        ]);
        return page.nextCursor ? `${rows}\n(more: --cursor ${page.nextCursor})` : rows;
      });
    });

  job
    .command("cancel <id>")
    .description("cancel a job (an active job is asked to stop; --force ends it at once)")
    .option("--force", "end an active job at once")
    .action(async (id: string, o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const done = await api.request("POST", `/v1/jobs/${encodeURIComponent(id)}/cancel${o.force ? "?force=true" : ""}`);
      print(json, done, () => (done.state === "cancelled" ? `${id} cancelled` : `${id} asked to cancel (it is ${done.state})`));
    });

  job
    .command("retry <id>")
    .description("run a failed or cancelled job again, resuming from its checkpoint")
    .option("--reset-checkpoint", "start from scratch instead of the checkpoint")
    .action(async (id: string, o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const done = await api.request("POST", `/v1/jobs/${encodeURIComponent(id)}/retry`, { resetCheckpoint: Boolean(o.resetCheckpoint) });
      print(json, done, () => `${id} ${done.state}`);
    });
}
