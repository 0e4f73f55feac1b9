/** `spool status` and `spool health`: queues with counts and rates; health score, checks and firing alerts. */
import type { Command } from "commander";
import { clientOf } from "./context.ts";
import { duration, percent } from "./figures.ts";
import { print, record, table } from "./output.ts";

const STATES = ["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"] as const;


export function registerStatusCommands(program: Command): void {
  program
    .command("status")
    .description("queues with their counts by state and the last hour's rates")
    .action(async (_o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const stats = await api.request("GET", "/v1/stats");
      // The totals are of the operator's queues: spool's own (spool:…) are listed above them but not counted.
      const rows = [...stats.queues, { queue: "(your queues)", counts: stats.counts, lastHour: stats.lastHour }];
      print(json, stats, () =>
        table(rows, [
          { header: "queue", value: (q: any) => q.queue },
          ...STATES.map((s) => ({ header: s, value: (q: any) => q.counts[s], align: "right" as const })),
          { header: "done/min", value: (q: any) => q.lastHour.throughputPerMinute.completed, align: "right" as const },
          { header: "failed %", value: (q: any) => percent(q.lastHour.failureRate), align: "right" as const },
          { header: "p95 run", value: (q: any) => duration(q.lastHour.runTime.p95Ms), align: "right" as const },
          { header: "avg wait", value: (q: any) => duration(q.lastHour.waitTime.avgMs), align: "right" as const },
        ]),
      );
    });

  program
    .command("health")
    .description("health score and status, checks, and firing alerts (exit code 1 when unhealthy, 3 when the server cannot be reached)")
    .action(async (_o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const health = await api.request("GET", "/v1/health");
      print(json, health, () =>
        [
          record([
            ["score", `${health.score} (${health.status})`],
            ...health.checks.map((c: any): [string, string] => [c.name, `${c.status}: ${c.message}`]),
          ]),
          health.alerts.length === 0
            ? "no alerts firing"
            : table(health.alerts, [
                { header: "id", value: (a: any) => a.id },
                { header: "severity", value: (a: any) => a.severity },
                { header: "rule", value: (a: any) => a.rule },
                { header: "since", value: (a: any) => a.firstSeen },
                { header: "acked", value: (a: any) => (a.ackedAt ? "yes" : "") },
                { header: "message", value: (a: any) => a.message },
              ]),
        ].join("\n\n"),
      );
      if (health.status === "unhealthy") process.exitCode = 1;
    });
}
