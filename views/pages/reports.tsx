/** @jsxImportSource hono/jsx */
/** Reports: the stored daily reports, newest first, and building one now. */
import { Action } from "../components/action.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { Ago } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

export type ReportsData = {
  reports: { date: string; createdAt: number }[];
  timezone: string;
  today: string;
  yesterday: string;
};

export function ReportsPage({ data }: { data: ReportsData }) {
  return (
    <>
      <PageHead title="Reports" sub={<>Daily reports count days in {data.timezone}; spool:daily-report makes the day before's at 02:00.</>}>
        <Action to="/reports/build" fields={{ day: "yesterday" }} label={`Build yesterday's (${data.yesterday})`} small={false} />
        <Action to="/reports/build" fields={{ day: "today" }} label={`Build today's so far (${data.today})`} small={false} />
      </PageHead>
      <section class="panel" aria-labelledby="stored">
        <h2 id="stored">Stored reports <small>newest first</small></h2>
        {data.reports.length === 0
          ? <p class="empty">No report yet: the first is made at 02:00 for the day before.</p>
          : (
            <div class="table-wrap">
              <table>
                <thead><tr><th>Day</th><th>Made</th><th>JSON</th></tr></thead>
                <tbody>
                  {data.reports.map((r) => (
                    <tr data-report={r.date}>
                      <td><a href={`/reports/${r.date}`}><strong>{r.date}</strong></a></td>
                      <td><Ago ms={r.createdAt} /></td>
                      <td><a href={`/v1/reports/daily/${r.date}`} download={`spool-report-${r.date}.json`}>Download</a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <ApiCalls calls={[{ path: "/v1/reports/daily" }, { path: "/v1/reports/daily/DATE", note: "One report (DATE as YYYY-MM-DD):" }]} />
    </>
  );
}
