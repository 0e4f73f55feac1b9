/** @jsxImportSource hono/jsx */
/** Lanes: the blocked and busy lanes of one queue or all, filtered by queue and key; retry or skip a blocked lane's head. */
import type { LaneView } from "../../src/core/monitor-store.ts";
import { ApiCalls, type ApiCall } from "../components/curl.tsx";
import { LaneRow } from "../components/lane-row.tsx";
import { PageHead } from "../layout.tsx";

export type LanesFilter = { queue: string | null; key: string | null };

export type LanesPageData = {
  filter: LanesFilter;
  queues: string[];
  lanes: LaneView[];
  /** Queues left unread when looking across all queues (the page reads a bounded number). */
  queuesLeft: number;
  /** Lanes read per queue, and the queues that had more than that. */
  perQueue: number;
  cutQueues: string[];
};

function Filters({ data }: { data: LanesPageData }) {
  const { filter } = data;
  return (
    <form class="filters" method="get" action="/lanes" role="search" aria-label="Filter lanes">
      <div class="field">
        <label for="lane-queue">Queue</label>
        <select id="lane-queue" name="queue">
          <option value="">All queues</option>
          {data.queues.map((name) => <option value={name} selected={name === filter.queue}>{name}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="lane-key">Key</label>
        <input id="lane-key" name="key" value={filter.key ?? ""} placeholder="any key" maxlength={255} />
      </div>
      <button type="submit">Filter</button>
      {(filter.queue || filter.key) && <a href="/lanes">Clear</a>}
    </form>
  );
}

function apiCalls(filter: LanesFilter): ApiCall[] {
  const queue = filter.queue ?? "QUEUE";
  const body = { queue, key: filter.key ?? "KEY" };
  return [
    { path: `/v1/lanes?queue=${encodeURIComponent(queue)}`, note: "The blocked and busy lanes of a queue:" },
    { method: "POST", path: "/v1/lanes/retry", body, note: "Run a blocked lane's failed head again:" },
    { method: "POST", path: "/v1/lanes/skip", body, note: "Skip a blocked lane's failed head (it stays failed; the lane moves on):" },
  ];
}

export function LanesPage({ data }: { data: LanesPageData }) {
  const { filter, lanes } = data;
  const showQueue = filter.queue === null;
  const blocked = lanes.filter((l) => l.status === "blocked").length;
  return (
    <>
      <PageHead
        title="Lanes"
        sub="Jobs of one queue that share a key form a lane: they run one at a time, in enqueue order. A lane blocks when its head fails for good under laneOnFailure “block”."
      />
      <section class="panel">
        <Filters data={data} />
        {lanes.length === 0
          ? <p class="empty" data-empty>No blocked or busy lanes{filter.queue ? <> in <code>{filter.queue}</code></> : ""}{filter.key ? <> with key <code>{filter.key}</code></> : ""}. A lane is the jobs of a queue sharing a key, run one at a time in order.</p>
          : (
            <>
              <p class="hint" data-lane-summary>{blocked} blocked, {lanes.length - blocked} busy; blocked first, oldest first.</p>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Status</th>{showQueue && <th>Queue</th>}<th>Key</th><th>Head job</th><th>Last error</th><th class="hide-sm">Since</th><th class="num">Behind</th>
                    </tr>
                  </thead>
                  <tbody>{lanes.map((lane) => <LaneRow lane={lane} showQueue={showQueue} />)}</tbody>
                </table>
              </div>
            </>
          )}
        {data.cutQueues.length > 0 && (
          <p class="hint">Showing the first {data.perQueue} lanes of {data.cutQueues.map((name, i) => <>{i > 0 && ", "}<code>{name}</code></>)}; filter by key to find one.</p>
        )}
        {data.queuesLeft > 0 && <p class="hint">{data.queuesLeft} more queues with unfinished jobs were not read; choose a queue to see its lanes.</p>}
      </section>
      <ApiCalls calls={apiCalls(filter)} />
    </>
  );
}
