/** Session pruning: every hour, expired dashboard sessions are deleted (an expired one is refused before then anyway). */
import type { IntervalDuty } from "./duty.ts";

export const sessionPruning: IntervalDuty = {
  name: "session-pruning",
  trigger: { kind: "interval", everyMs: 3_600_000 },
  storeCalls: ["sessionsPrune"],
  async run({ service }) {
    return { pruned: await service.store.sessionsPrune({ now: service.clock.now() }) };
  },
};
