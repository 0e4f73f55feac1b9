/** schedule_late (warning): a schedule's next fire is more than N periods in the past. */
import type { AlertRule } from "./rule.ts";

export const scheduleLate: AlertRule = {
  type: "schedule_late",
  evaluate: (input, t) =>
    input.schedules.flatMap((s) => {
      if (s.nextFireAt === null || s.periodMs === null || s.periodMs <= 0) return [];
      const behind = input.now - s.nextFireAt;
      if (behind <= t.scheduleLatePeriods * s.periodMs) return [];
      return [{
        rule: "schedule_late",
        subject: s.name,
        severity: "warning",
        message: `schedule ${s.name} is ${Math.round(behind / 1000)} s behind (${Math.floor(behind / s.periodMs)} periods)`,
        value: behind,
        threshold: t.scheduleLatePeriods * s.periodMs,
      }];
    }),
};
