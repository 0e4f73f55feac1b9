/** @jsxImportSource hono/jsx */
/** /alerts: the alert list and acknowledging one, through the same Monitor calls as /v1/alerts. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { notFound } from "../../core/errors.ts";
import { AlertsPage, type AlertsFilter } from "../../../views/pages/alerts.tsx";
import { allow } from "../../api/auth.ts";
import { act, page } from "../render.tsx";

export function registerAlerts(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { monitor } = deps;
  web.get("/alerts", async (c) => {
    const asked = c.req.query("state");
    const filter: AlertsFilter = asked === "resolved" || asked === "all" ? asked : "firing";
    const alerts = await monitor.alerts({ state: filter === "all" ? undefined : filter, limit: 200 });
    return page(c, deps, "Alerts", <AlertsPage alerts={alerts} filter={filter} />);
  });

  web.post("/alerts/:id/ack", allow("admin"), (c) =>
    act(c, deps, async () => {
      const principal = c.get("principal");
      const alert = await monitor.ackAlert({ id: c.req.param("id"), by: principal.tokenId ?? principal.role });
      if (!alert) throw notFound(`alert ${c.req.param("id")}`);
      return `Acknowledged ${alert.rule} on ${alert.subject}.`;
    }),
  );
}
