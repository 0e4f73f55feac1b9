/** `spool queue ls|pause|resume|purge`. */
import { Command, Option } from "commander";
import { clientOf } from "./context.ts";
import { spanText } from "../core/duration.ts";
import { print, table } from "./output.ts";

/** How long ago `since` (an ISO time) was: "12 min"; "-" for none. */
const waitedSince = (since: string | null) => (since === null ? "-" : spanText(Math.max(0, Date.now() - Date.parse(since))));

export function registerQueueCommands(program: Command): void {
  const queue = program.command("queue").description("list and manage queues");

  queue
    .command("ls")
    .description("queues with their counts by state")
    .action(async (_o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const { queues } = await api.request("GET", "/v1/queues");
      print(json, queues, () =>
        table(queues, [
          { header: "queue", value: (q: any) => q.name },
          { header: "paused", value: (q: any) => (q.paused ? "yes" : "") },
          ...(["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"] as const).map((s) => ({
            header: s,
            value: (q: any) => q.counts[s],
            align: "right" as const,
          })),
          { header: "oldest waiting", value: (q: any) => waitedSince(q.oldestWaitingSince), align: "right" as const },
        ]),
      );
    });

  for (const [verb, description] of [["pause", "stop handing out jobs of a queue"], ["resume", "hand out jobs of a paused queue again"]] as const) {
    queue
      .command(`${verb} <queue>`)
      .description(description)
      .action(async (name: string, _o, cmd: Command) => {
        const { api, json } = clientOf(cmd);
        const config = await api.request("POST", `/v1/queues/${encodeURIComponent(name)}/${verb}`);
        print(json, config, () => `${name} ${config.paused ? "paused" : "running"}`);
      });
  }

  queue
    .command("purge <queue>")
    .description("delete a queue's jobs in one state")
    .addOption(new Option("--state <state>", "which jobs").choices(["waiting", "delayed", "blocked", "completed", "failed", "cancelled"]).makeOptionMandatory())
    .action(async (name: string, o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const out = await api.request("POST", `/v1/queues/${encodeURIComponent(name)}/purge?state=${o.state}`);
      print(json, out, () => `deleted ${out.deleted} ${o.state} jobs from ${name}`);
    });
}
