/** @jsxImportSource hono/jsx */
/** A job's timeline from the event log: each state change, when, on which attempt, and why. */
import type { MonitorEvent } from "../../src/core/monitor-store.ts";
import { StateBadge } from "./badges.tsx";
import { Ago, duration } from "./time.tsx";

/** What an event's duration measured (the log keeps the wait time on starts and the run time on completions). */
const DURATION_OF: Record<string, string> = { "job.started": "waited", "job.completed": "ran" };

export function JobTimeline({ events, limit }: { events: MonitorEvent[]; limit: number }) {
  if (events.length === 0) return <p class="empty">The event log holds nothing for this job any more (it keeps the newest events only).</p>;
  return (
    <>
      <ol class="timeline" data-timeline>
        {events.map((e) => (
          <li data-event={e.type}>
            <Ago ms={e.at} />
            <span>
              <strong>{e.type.replace(/^job\./, "")}</strong>
              {e.state && <> {e.prevState && <><StateBadge state={e.prevState} /> → </>}<StateBadge state={e.state} /></>}
            </span>
            {e.attempt !== null && e.attempt > 0 && <span class="hint">attempt {e.attempt}</span>}
            {e.errorType && <code>{e.errorType}</code>}
            {e.durationMs !== null && DURATION_OF[e.type] && <span class="hint">{DURATION_OF[e.type]} {duration(e.durationMs)}</span>}
          </li>
        ))}
      </ol>
      {events.length === limit && <p class="hint">Showing the newest {limit} events.</p>}
    </>
  );
}
