/** @jsxImportSource hono/jsx */
/** Errors: failures grouped by queue and error type over a window, each with its trend, a sample and its failed jobs. */
import type { ErrorGroups } from "../../src/monitor/error-groups.ts";
import { ApiCalls } from "../components/curl.tsx";
import { ErrorGroupRow } from "../components/error-group-row.tsx";
import { iso } from "../../src/core/iso-time.ts";
import { Ago, count } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

export const SINCE_PRESETS: [string, number][] = [["Last hour", 3_600_000], ["Last 24 h", 86_400_000], ["Last 7 days", 7 * 86_400_000]];

export function ErrorsPage({ data, queue, queues }: { data: ErrorGroups; queue: string | null; queues: string[] }) {
  const { now } = useUi();
  const since = iso(data.since);
  const query = (q: Record<string, string | null>) => {
    const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== null));
    return params.size ? `/errors?${params}` : "/errors";
  };
  const total = data.groups.reduce((sum, g) => sum + g.count, 0);
  return (
    <>
      <PageHead title="Errors" sub={<>Failed attempts grouped by queue and error type since <Ago ms={data.since} />, counted from per-minute aggregates (they outlive the jobs).</>} />
      <form class="filters" method="get" action="/errors">
        <div class="field">
          <label for="errors-queue">Queue</label>
          <input id="errors-queue" name="queue" list="errors-queues" value={queue ?? ""} placeholder="all queues" />
          <datalist id="errors-queues">{queues.map((q) => <option value={q} />)}</datalist>
        </div>
        <input type="hidden" name="since" value={since} />
        <button type="submit">Filter</button>
        <nav class="tabs" aria-label="Window" style="margin:0;border:0">
          {SINCE_PRESETS.map(([label, ms]) => {
            const current = Math.abs(now - ms - data.since) < 120_000;
            return <a href={query({ queue, since: iso(now - ms) })} aria-current={current ? "page" : undefined}>{label}</a>;
          })}
        </nav>
      </form>
      <section class="panel" aria-labelledby="groups">
        <h2 id="groups">Groups <small>{count(total)} failures in {data.groups.length} groups{queue ? ` of ${queue}` : ""}</small></h2>
        {data.groups.length === 0
          ? <p class="empty">No failures in this window.</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm">
                <thead><tr><th>Queue</th><th>Error type</th><th class="num">Failures</th><th>Last seen</th><th class="hide-sm">Trend</th><th>Sample</th></tr></thead>
                <tbody>{data.groups.map((group) => <ErrorGroupRow group={group} stepMs={data.stepMs} since={since} />)}</tbody>
              </table>
            </div>
          )}
      </section>
      <ApiCalls calls={[{ path: `/v1/errors?${new URLSearchParams({ since, ...(queue ? { queue } : {}) })}` }]} />
    </>
  );
}
