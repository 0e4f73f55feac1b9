/** The store conformance suite: queue semantics (DESIGN §1–§5, tokens and sessions, workers and push-target secrets) run unchanged against any Store. */
import { describe, test } from "bun:test";
import type { Store } from "../../src/core/store.ts";
import { cancelContract } from "./cancel.ts";
import { changeEventsContract } from "./change-events.ts";
import { claimContract } from "./claim.ts";
import { enqueueContract } from "./enqueue.ts";
import { errorGroupsContract } from "./error-groups.ts";
import { failRetryContract } from "./fail-retry.ts";
import { Ctx, type ContractCase } from "./harness.ts";
import { jobEventsContract } from "./job-events.ts";
import { lanesContract } from "./lanes.ts";
import { leasesContract } from "./leases.ts";
import { listJobsContract } from "./list-jobs.ts";
import { monitoringContract } from "./monitoring.ts";
import { queueOpsContract } from "./queue-ops.ts";
import { racesContract } from "./races.ts";
import { retryDeleteContract } from "./retry-delete.ts";
import { schedulesContract } from "./schedules.ts";
import { tokensSessionsContract } from "./tokens-sessions.ts";
import { workersSecretsContract } from "./workers-secrets.ts";

const AREAS: [string, (it: ContractCase) => void][] = [
  ["enqueue", enqueueContract],
  ["claim", claimContract],
  ["lanes", lanesContract],
  ["leases", leasesContract],
  ["fail and retry policy", failRetryContract],
  ["cancel", cancelContract],
  ["retry and delete", retryDeleteContract],
  ["queue operations", queueOpsContract],
  ["listJobs", listJobsContract],
  ["schedules", schedulesContract],
  ["monitoring", monitoringContract],
  ["job events", jobEventsContract],
  ["events of every change", changeEventsContract],
  ["error groups", errorGroupsContract],
  ["tokens and sessions", tokensSessionsContract],
  ["workers and target secrets", workersSecretsContract],
  ["two stores over the same data", racesContract],
];

export type StoreContractOptions = {
  /** Opens a second store over the same data as the given one (a second process's view), for the race cases. */
  twin: (store: Store) => Store;
};

/**
 * Registers every contract case under `describe("store contract: <name>")`. Each case gets a
 * fresh store from `makeStore`, a TestClock and a QueueService over them, and closes the store
 * when it ends.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>, options: StoreContractOptions): void {
  const areas = AREAS.map(([area, register]) => {
    const cases: [string, (ctx: Ctx) => Promise<void>][] = [];
    register((caseName, body) => cases.push([caseName, body]));
    return { area, cases };
  });
  const names = areas.flatMap((a) => a.cases.map(([caseName]) => caseName));
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`duplicate store-contract case "${duplicate}"`);

  describe(`store contract: ${name}`, () => {
    for (const { area, cases } of areas) {
      describe(area, () => {
        for (const [caseName, body] of cases) {
          test(caseName, async () => {
            const ctx = new Ctx(await makeStore(), options.twin);
            try {
              await body(ctx);
            } finally {
              await ctx.close();
            }
          });
        }
      });
    }
  });
}
