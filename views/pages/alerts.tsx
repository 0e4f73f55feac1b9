/** @jsxImportSource hono/jsx */
/** Alerts: firing and resolved, when first and last seen, acknowledge, and the jobs behind each. */
import type { Alert } from "../../src/core/monitor-store.ts";
import { AlertRow } from "../components/alerts.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { Ago } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

export type AlertsFilter = "firing" | "resolved" | "all";

export function AlertsPage({ alerts, filter }: { alerts: Alert[]; filter: AlertsFilter }) {
  const tabs: [AlertsFilter, string][] = [["firing", "Firing"], ["resolved", "Resolved"], ["all", "All"]];
  const state = filter === "all" ? "" : `?state=${filter}`;
  return (
    <>
      <PageHead title="Alerts" sub="Rules are evaluated every 30 s by the spool:health schedule; thresholds are set with spool serve's --alert-* options." />
      <nav class="tabs" aria-label="Alert state">
        {tabs.map(([value, label]) => <a href={value === "firing" ? "/alerts" : `/alerts?state=${value}`} aria-current={value === filter ? "page" : undefined}>{label}</a>)}
      </nav>
      <section class="panel">
        {alerts.length === 0
          ? <p class="empty">{filter === "firing" ? "Nothing is firing." : "No alerts."}</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm">
                <thead><tr><th>Severity</th><th>Alert</th><th class="hide-sm">Seen</th><th>Evidence</th></tr></thead>
                <tbody>
                  {alerts.map((alert) => <AlertRow alert={alert} />)}
                </tbody>
              </table>
            </div>
          )}
        {alerts.some((a) => a.resolvedAt !== null) && (
          <p class="hint">Resolved alerts: {alerts.filter((a) => a.resolvedAt !== null).slice(0, 1).map((a) => <>latest resolved <Ago ms={a.resolvedAt} /></>)}</p>
        )}
      </section>
      <ApiCalls calls={[{ path: `/v1/alerts${state}` }, { method: "POST", path: "/v1/alerts/ID/ack", note: "Acknowledge one (ID from the list):" }]} />
    </>
  );
}
