/** @jsxImportSource hono/jsx */
/** One worker as a card: online or not, who and where it is, what it serves, how loaded it is, what it ran; shut it down. */
import { whyNoShutdown, type WorkerView } from "../../src/workers/worker-registry.ts";
import { Action } from "./action.tsx";
import { Badge, OnlineBadge } from "./badges.tsx";
import { Ago, count } from "./time.tsx";

export function WorkerLoad({ active, concurrency }: { active: number; concurrency: number | null }) {
  if (concurrency === null) return <p class="hint">{count(active)} active; no concurrency given</p>;
  const percent = Math.round((active / concurrency) * 100);
  return (
    <div data-load={percent}>
      <div class="load" role="progressbar" aria-label="Load" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(percent, 100)}>
        <span style={`width:${Math.min(percent, 100)}%`}></span>
      </div>
      <p class="hint">{count(active)} of {count(concurrency)} slots busy · {percent} %</p>
    </div>
  );
}

export function WorkerCard({ worker }: { worker: WorkerView }) {
  const asked = worker.shutdownRequestedAt !== null;
  return (
    <article class="panel" id={`worker-${worker.id}`} data-worker={worker.id} aria-labelledby={`worker-${worker.id}-name`}>
      <h2 id={`worker-${worker.id}-name`}>
        <span class="clip">{worker.name ?? worker.id}</span>
        <span class="actions">
          <OnlineBadge online={worker.online} />
          {asked && <span data-shutting-down><Badge tone="warn" icon="stop">shutting down</Badge></span>}
        </span>
      </h2>
      <dl class="kv">
        <dt>Id</dt><dd><code>{worker.id}</code></dd>
        <dt>Host</dt><dd>{worker.host ?? "—"}</dd>
        <dt>Kind</dt><dd>{worker.kind}</dd>
        <dt>Queues</dt>
        <dd>{worker.queues.length === 0 ? "—" : worker.queues.map((q, i) => <>{i > 0 && ", "}<a href={`/queues/${encodeURIComponent(q)}`}>{q}</a></>)}</dd>
        <dt>Concurrency</dt><dd>{worker.concurrency ?? "—"}</dd>
        <dt>Active</dt><dd data-active>{count(worker.active)}</dd>
        <dt>Processed</dt><dd>{count(worker.processed)} <span class="hint">· {count(worker.failed)} failed</span></dd>
        <dt>Last seen</dt><dd><Ago ms={worker.lastSeenAt} /></dd>
        {asked && <><dt>Asked to stop</dt><dd><Ago ms={worker.shutdownRequestedAt} /></dd></>}
      </dl>
      <h3 style="margin-top:12px">Load</h3>
      <WorkerLoad active={worker.active} concurrency={worker.concurrency} />
      {worker.online && !asked && whyNoShutdown(worker) === null && (
        <div class="actions" style="margin-top:10px">
          <Action
            to={`/workers/${encodeURIComponent(worker.id)}/shutdown`}
            label="Shut down"
            tone="danger"
            confirm={`Ask ${worker.name ?? worker.id} to shut down? It gets no more jobs, finishes what it holds and exits.`}
          />
        </div>
      )}
    </article>
  );
}
