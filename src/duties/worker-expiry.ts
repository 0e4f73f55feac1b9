/** Worker expiry: every hour, workers not seen for a day are forgotten. */
import type { IntervalDuty } from "./duty.ts";

/** Workers unseen for this long are forgotten. */
export const FORGET_AFTER_MS = 24 * 3_600_000;

export const workerExpiry: IntervalDuty = {
  name: "worker-expiry",
  trigger: { kind: "interval", everyMs: 3_600_000 },
  storeCalls: ["workersPrune"],
  async run({ service }) {
    const now = service.clock.now();
    return { forgotten: await service.store.workersPrune({ seenBefore: now - FORGET_AFTER_MS, now }) };
  },
};
