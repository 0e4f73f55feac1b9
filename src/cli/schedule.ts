/** `spool schedule add|ls|get|rm|trigger|pause|resume`. */
import { Command, Option } from "commander";
import { UsageError } from "./client.ts";
import { clientOf } from "./context.ts";
import { print, record, table } from "./output.ts";
import { durationArg, intArg, jsonArg } from "./parse.ts";

const path = (name: string, action = "") => `/v1/schedules/${encodeURIComponent(name)}${action ? `/${action}` : ""}`;

const timing = (s: any) => (s.cron !== null ? s.cron : `every ${s.every}`);

/** "fired → completed", "skipped ×3", "missed ×5". */
function runSummary(run: any): string | null {
  if (!run) return null;
  const count = run.count > 1 ? ` ×${run.count}` : "";
  const outcome = run.kind === "fired" && run.job ? ` → ${run.job.state}` : "";
  return `${run.kind}${count}${outcome}`;
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command("schedule").description("stored schedules that enqueue jobs on a cron or an interval");

  schedule
    .command("add <name>")
    .description("create a schedule (give --cron or --every)")
    .option("--cron <expr>", 'cron expression: 5 or 6 fields, or @daily, @hourly, … (e.g. "0 4 * * *")')
    .option("--every <interval>", 'fixed interval instead of cron, e.g. "30s", "5m", "1h"')
    .option("--tz <zone>", "IANA time zone the cron is read in (default UTC)")
    .requiredOption("--queue <queue>", "queue the fired jobs go to")
    .option("--data <json>", 'payload of every fired job as JSON, or "-" to read it from stdin')
    .addOption(new Option("--overlap <mode>", "skip: do not fire while the previous job is unfinished").choices(["allow", "skip"]))
    .addOption(new Option("--catch-up <mode>", "after a downtime: fire once (one) or not at all (none)").choices(["one", "none"]))
    .option("--paused", "create it paused")
    .option("--key <key>", "ordering key of the fired jobs")
    .option("--priority <n>", "priority of the fired jobs, 0–10", intArg)
    .option("--max-attempts <n>", "attempts before a fired job fails", intArg)
    .option("--timeout <duration>", "hard limit for one attempt of a fired job", durationArg)
    .action(async (name: string, o, cmd: Command) => {
      if ((o.cron === undefined) === (o.every === undefined)) throw new UsageError("give either --cron or --every");
      const { api, json } = clientOf(cmd);
      const jobOptions = Object.fromEntries(
        Object.entries({ key: o.key, priority: o.priority, maxAttempts: o.maxAttempts, timeoutMs: o.timeout }).filter(([, v]) => v !== undefined),
      );
      const body = {
        name, cron: o.cron, every: o.every, timezone: o.tz, queue: o.queue, payload: await jsonArg(o.data),
        jobOptions, overlap: o.overlap, catchUp: o.catchUp, enabled: o.paused ? false : undefined,
      };
      const created = await api.request("POST", "/v1/schedules", body);
      print(json, created, () => `${created.name}  ${timing(created)}  ${created.enabled ? `next ${created.preview[0]?.local ?? "-"}` : "paused"}`);
    });

  schedule
    .command("ls")
    .description("schedules with their next fire time and last run")
    .action(async (_o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const { schedules } = await api.request("GET", "/v1/schedules");
      print(json, schedules, () =>
        table(schedules, [
          { header: "name", value: (s: any) => s.name },
          { header: "when", value: timing },
          { header: "tz", value: (s: any) => s.timezone },
          { header: "queue", value: (s: any) => s.queue },
          { header: "state", value: (s: any) => (s.enabled ? "active" : "paused") },
          { header: "next", value: (s: any) => (s.enabled ? (s.preview[0]?.local ?? null) : null) },
          { header: "last run", value: (s: any) => runSummary(s.lastRun) },
        ]),
      );
    });

  schedule
    .command("get <name>")
    .description("one schedule with its next fire times and run history")
    .option("--preview <n>", "fire times to show (default 10)", intArg)
    .option("--history <n>", "runs to show (default 20)", intArg)
    .action(async (name: string, o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const query = new URLSearchParams();
      if (o.preview !== undefined) query.set("preview", String(o.preview));
      if (o.history !== undefined) query.set("history", String(o.history));
      const s = await api.request("GET", `${path(name)}?${query}`);
      print(json, s, () =>
        [
          record([
            ["name", s.name], ["when", timing(s)], ["time zone", s.timezone], ["queue", s.queue], ["payload", s.payload],
            ["state", s.enabled ? "active" : "paused"], ["overlap", s.overlap], ["catch up", s.catchUp], ["built in", s.builtin ? "yes" : "no"],
            ["last result", s.lastResult],
          ]),
          "",
          // A paused schedule fires nothing: its times would come only once resumed.
          ...(s.enabled ? ["next fire times:", ...s.preview.map((p: any) => `  ${p.local}`)] : ["paused: no fire times until it is resumed"]),
          "",
          s.history.length ? table(s.history, [
            { header: "fire time", value: (r: any) => r.fireTime },
            { header: "run", value: runSummary },
            { header: "job", value: (r: any) => r.jobId, align: "right" },
            { header: "error", value: (r: any) => r.job?.error ?? null },
          ]) : "no runs yet",
        ].join("\n"),
      );
    });

  schedule
    .command("rm <name>")
    .description("delete a schedule and its history")
    .action(async (name: string, _o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      await api.request("DELETE", path(name));
      print(json, { deleted: name }, () => `${name} deleted`);
    });

  schedule
    .command("trigger <name>")
    .description("fire a schedule now (its next fire times do not change)")
    .action(async (name: string, _o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const job = await api.request("POST", path(name, "trigger"));
      print(json, job, () => `${name} fired: job ${job.id} in ${job.queue}`);
    });

  for (const [verb, description] of [["pause", "stop a schedule from firing"], ["resume", "let a paused schedule fire again from now on"]] as const) {
    schedule
      .command(`${verb} <name>`)
      .description(description)
      .action(async (name: string, _o, cmd: Command) => {
        const { api, json } = clientOf(cmd);
        const s = await api.request("POST", path(name, verb));
        print(json, s, () => (s.enabled ? `${name} active, next ${s.preview[0]?.local ?? "-"}` : `${name} paused`));
      });
  }
}
