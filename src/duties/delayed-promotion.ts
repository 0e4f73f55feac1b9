/** Delayed promotion: every second, delayed jobs whose time has come show as waiting and wake the claims of their queues. */
import type { IntervalDuty } from "./duty.ts";

export const delayedPromotion: IntervalDuty = {
  name: "delayed-promotion",
  trigger: { kind: "interval", everyMs: 1000 },
  storeCalls: ["jobsPromoteDue"],
  async run({ service }) {
    return { promoted: await service.promoteDueJobs() };
  },
};
