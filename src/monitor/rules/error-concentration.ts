/** error_concentration (warning): one error type is more than half of a queue's failed attempts in the last hour. */
import { percent, type AlertRule } from "./rule.ts";

export const errorConcentration: AlertRule = {
  type: "error_concentration",
  evaluate: (input, t) => {
    const byQueue = new Map<string, { total: number; top: { type: string; n: number } }>();
    for (const e of input.errorsLastHour) {
      const q = byQueue.get(e.queue) ?? { total: 0, top: e };
      q.total += e.n;
      if (e.n > q.top.n) q.top = e;
      byQueue.set(e.queue, q);
    }
    return [...byQueue].flatMap(([queue, { total, top }]) => {
      if (total < t.errorConcentrationMin || top.n / total <= t.errorConcentrationShare) return [];
      return [{
        rule: "error_concentration",
        subject: queue,
        severity: "warning",
        message: `queue ${queue}: error type "${top.type}" is ${percent(top.n / total)} of the last hour's ${total} failed attempts`,
        value: top.n / total,
        threshold: t.errorConcentrationShare,
      }];
    });
  },
};
