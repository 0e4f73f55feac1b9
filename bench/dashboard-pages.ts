/** What the dashboard benchmark reads: every page an operator opens (`{job}`: a job of the backlog's queue). */
export const DASHBOARD_QUEUE = "orders";

export const DASHBOARD_PAGES = [
  "/", "/queues", `/queues/${DASHBOARD_QUEUE}`, `/queues/${DASHBOARD_QUEUE}?state=waiting`, `/queues/${DASHBOARD_QUEUE}?state=completed`,
  `/queues/${DASHBOARD_QUEUE}?key=shop-7`, `/queues/${DASHBOARD_QUEUE}?q=needle`, `/queues/${DASHBOARD_QUEUE}/settings`, "/jobs/{job}",
  "/workers", "/schedules", "/schedules/spool:health", "/lanes", `/lanes?queue=${DASHBOARD_QUEUE}`, "/errors", "/alerts", "/reports", "/server",
] as const;

/** Dashboards kept open in the overhead scenario. */
export const OPEN_DASHBOARDS = 5;
