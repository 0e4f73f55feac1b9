/** @jsxImportSource hono/jsx */
/** The next fire times of a schedule in its own zone, marking where the zone's UTC offset changes (DST). */
import type { FirePreview } from "../../src/scheduler/schedule-service.ts";
import { Badge } from "./badges.tsx";
import { LocalTime } from "./schedule-status.tsx";
import { Ago } from "./time.tsx";

const offsetOf = (local: string) => local.slice(19) || "+00:00";

export function FireList({ fires, timezone }: { fires: FirePreview[]; timezone: string }) {
  if (fires.length === 0) return <p class="empty">No fire times ahead.</p>;
  return (
    <ol class="timeline" data-fires={timezone}>
      {fires.map((fire, i) => {
        const before = i > 0 ? offsetOf(fires[i - 1]!.local) : null;
        const now = offsetOf(fire.local);
        return (
          <li data-fire>
            <LocalTime at={fire.at} local={fire.local} />
            <Ago ms={fire.at} />
            {before !== null && before !== now && <Badge tone="warn" icon="clock">{`offset ${before} → ${now}`}</Badge>}
          </li>
        );
      })}
    </ol>
  );
}

/** What the form's preview shows: the next fires in the chosen zone, or what is wrong with the timing. */
export function FirePreviewBody({ fires, timezone, problems }: { fires: FirePreview[]; timezone: string; problems: { path: string; message: string }[] }) {
  if (problems.length > 0) {
    return (
      <div role="alert" data-preview-error>
        {problems.map((p) => <p class="flash bad"><strong>{p.path}</strong> {p.message}</p>)}
      </div>
    );
  }
  return (
    <>
      <p class="hint">Next {fires.length} fires in <strong>{timezone}</strong>:</p>
      <FireList fires={fires} timezone={timezone} />
    </>
  );
}
