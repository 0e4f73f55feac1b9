/** @jsxImportSource hono/jsx */
/** One lane as a table row: its status (and, when blocked, retry or skip its head), key, head job and its state, last error, since when, how many wait behind it. */
import type { LaneView } from "../../src/core/monitor-store.ts";
import { Action } from "./action.tsx";
import { Badge, StateBadge } from "./badges.tsx";
import { Ago, count } from "./time.tsx";

export function LaneStatus({ status }: { status: LaneView["status"] }) {
  return status === "blocked" ? <Badge tone="bad" icon="lock">blocked</Badge> : <Badge tone="info" icon="play">busy</Badge>;
}

export function LaneRow({ lane, showQueue }: { lane: LaneView; showQueue: boolean }) {
  const fields = { queue: lane.queue, key: lane.key };
  return (
    <tr data-lane={`${lane.queue}/${lane.key}`} data-status={lane.status}>
      <td>
        <LaneStatus status={lane.status} />
        {lane.status === "blocked" && (
          <div class="actions lane-actions">
            <Action to="/lanes/retry" fields={fields} label="Retry head" tone="primary" title="Run the failed head again; the lane waits for it" />
            <Action to="/lanes/skip" fields={fields} label="Skip head" confirm={`Skip job ${lane.headJobId}? It stays failed and the next job of lane ${lane.key} runs.`} title="Leave the head failed and let the lane move on" />
          </div>
        )}
      </td>
      {showQueue && <td><a href={`/lanes?queue=${encodeURIComponent(lane.queue)}`}>{lane.queue}</a></td>}
      <td><code class="clip" title={lane.key}>{lane.key}</code></td>
      <td>
        <a href={`/jobs/${encodeURIComponent(lane.headJobId)}`}>{lane.headJobId}</a>
        <span class="sub">{lane.headState ? <StateBadge state={lane.headState} /> : "gone"}</span>
      </td>
      <td>
        {lane.lastError
          ? <><code>{lane.lastError.type}</code><span class="sub clamp" title={lane.lastError.message}>{lane.lastError.message}</span></>
          : <span class="hint">none</span>}
      </td>
      <td class="hide-sm"><Ago ms={lane.since} /></td>
      <td class="num">{count(lane.depth)}</td>
    </tr>
  );
}
