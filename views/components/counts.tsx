/** @jsxImportSource hono/jsx */
/** Counts by job state, each linking to the jobs in that state. */
import type { StateCounts } from "../../src/core/queue-config.ts";
import { count } from "./time.tsx";

export const STATES = ["waiting", "delayed", "blocked", "active", "completed", "failed", "cancelled"] as const;

export function StateCountsGrid({ counts, hrefOf }: { counts: StateCounts; hrefOf: (state: string) => string }) {
  return (
    <div class="stats">
      {STATES.map((state) => (
        <a class="stat" href={hrefOf(state)} style="text-decoration:none;color:inherit" data-count={state}>
          <span class="n">{count(counts[state])}</span>
          <span class="l">{state}</span>
        </a>
      ))}
    </div>
  );
}
