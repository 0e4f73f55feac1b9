/** Lease reaper: every second, each expired lease fails its attempt (lease_expired or timeout) under the retry policy. */
import type { IntervalDuty } from "./duty.ts";

export const leaseReaper: IntervalDuty = {
  name: "lease-reaper",
  trigger: { kind: "interval", everyMs: 1000 },
  // queueGet reads the queue's retry policy (cached by the service for a second).
  storeCalls: ["leasesExpired", "queueGet", "leaseRecover"],
  async run({ service }) {
    return { recovered: (await service.reapExpiredLeases()).length };
  },
};
