/** @jsxImportSource hono/jsx */
/** Workers: one card per worker seen in the last 24 h, online first; filter by queue; shut one down. */
import type { WorkerView } from "../../src/workers/worker-registry.ts";
import { ApiCalls } from "../components/curl.tsx";
import { isOwnWorker } from "../components/queue-badges.tsx";
import { WorkerCard } from "../components/worker-card.tsx";
import { PageHead } from "../layout.tsx";

export type WorkersPageData = { workers: WorkerView[]; queues: string[]; queue: string | null };

export function WorkersPage({ data }: { data: WorkersPageData }) {
  const { workers, queue } = data;
  // Counted as the overview counts them: the operator's workers; spool's own maintenance workers apart.
  const yours = workers.filter((w) => !isOwnWorker(w));
  const online = yours.filter((w) => w.online).length;
  const own = workers.length - yours.length;
  return (
    <>
      <PageHead title="Workers" sub="Pull workers, push dispatchers and in-process workers seen in the last 24 h; a worker not seen for 30 s is offline." />
      <form class="filters" method="get" action="/workers" role="search" aria-label="Filter workers">
        <div class="field">
          <label for="worker-queue">Serving queue</label>
          <select id="worker-queue" name="queue">
            <option value="">Any queue</option>
            {data.queues.map((name) => <option value={name} selected={name === queue}>{name}</option>)}
          </select>
        </div>
        <button type="submit">Filter</button>
        {queue && <a href="/workers">Clear</a>}
      </form>
      <p class="hint" data-worker-summary>
        {online} online, {yours.length - online} offline{queue && <> serving <code>{queue}</code></>}
        {own > 0 && <>, and spool's own maintenance worker{own > 1 ? "s" : ""}</>}.
      </p>
      {workers.length === 0
        ? <section class="panel"><p class="empty">No worker{queue ? <> serving <code>{queue}</code></> : ""} has been seen in the last 24 h. Workers appear here when they claim jobs (<code>POST /v1/queues/QUEUE/claim</code> with a workerId) or run in-process.</p></section>
        : <div class="cards">{workers.map((worker) => <WorkerCard worker={worker} />)}</div>}
      <ApiCalls calls={[{ path: "/v1/workers", note: "Every worker:" }, { method: "POST", path: "/v1/workers/ID/shutdown", note: "Ask one to shut down (ID from the list):" }]} />
    </>
  );
}
