/**
 * no_activity (warning): jobs were enqueued into a queue but none finished over the window (24 h
 * by default). Once firing, it holds while the queue still has jobs waiting or running and none
 * finished over the window, so a queue stuck for longer than the window stays flagged after its
 * last enqueue has left the window.
 */
import { spanText } from "../../core/duration.ts";
import { firingKey, type AlertRule } from "./rule.ts";

const jobs = (n: number) => `${n} ${n === 1 ? "job" : "jobs"}`;

export const noActivity: AlertRule = {
  type: "no_activity",
  evaluate: (input, t) =>
    input.queues.flatMap((q) => {
      const window = input.activityWindow[q.name];
      if (window && window.completed + window.failed > 0) return [];
      const over = spanText(t.noActivityWindowMs);
      const base = { rule: "no_activity", subject: q.name, severity: "warning" as const, threshold: t.noActivityWindowMs };
      if (window && (input.activityBeforeGrace[q.name]?.enqueued ?? 0) > 0) {
        return [{ ...base, value: window.enqueued, message: `queue ${q.name}: ${jobs(window.enqueued)} enqueued in the last ${over} and none finished` }];
      }
      const unfinished = q.counts.waiting + q.counts.active;
      if (unfinished > 0 && input.firing.has(firingKey("no_activity", q.name))) {
        return [{ ...base, value: unfinished, message: `queue ${q.name}: ${jobs(unfinished)} waiting or running and none finished in the last ${over}` }];
      }
      return [];
    }),
};
