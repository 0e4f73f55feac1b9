/** @jsxImportSource hono/jsx */
/** One error group as a table row: where, what, how many, when, its trend and a sample failure. */
import type { ErrorGroup } from "../../src/monitor/error-groups.ts";
import { Sparkline } from "../charts/sparkline.tsx";
import { Ago, count, duration } from "./time.tsx";

export const groupHref = (queue: string, type: string, since?: string) =>
  `/errors/${encodeURIComponent(queue)}/${encodeURIComponent(type)}${since ? `?since=${encodeURIComponent(since)}` : ""}`;

export function ErrorGroupRow({ group, stepMs, since }: { group: ErrorGroup; stepMs: number; since?: string }) {
  return (
    <tr data-group={`${group.queue}/${group.type}`}>
      <td data-label="Queue"><a href={`/queues/${encodeURIComponent(group.queue)}?state=failed`}>{group.queue}</a></td>
      <td data-label="Error type"><a href={groupHref(group.queue, group.type, since)}><code>{group.type}</code></a></td>
      <td class="num" data-label="Failures"><strong>{count(group.count)}</strong></td>
      <td data-label="Seen"><Ago ms={group.lastSeen} /><span class="sub">first <Ago ms={group.firstSeen} /></span></td>
      <td class="hide-sm" data-label="Trend">
        <Sparkline tone="bad" values={group.series.map((p) => p.n)} title={`${group.type} failures in ${group.queue}, per ${duration(stepMs)}`} />
      </td>
      <td class="wide-sm" data-label="Sample">
        {group.sample
          ? <><span class="clamp" title={group.sample.message}>{group.sample.message}</span><span class="sub"><a href={`/jobs/${encodeURIComponent(group.sample.jobId)}`}>job {group.sample.jobId}</a></span></>
          : <span class="hint">no sample left in the event log</span>}
        <span class="sub"><a href={groupHref(group.queue, group.type, since)}>failed jobs</a></span>
      </td>
    </tr>
  );
}
