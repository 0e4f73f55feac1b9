/** @jsxImportSource hono/jsx */
/** The page frame: head, navigation, the live switch, the flash area and the live region around the page's content. */
import type { Child } from "hono/jsx";
import { Logo } from "./components/icons.tsx";
import { useUi } from "./ui-context.ts";

export const NAV = [
  ["/", "Overview"],
  ["/queues", "Queues"],
  ["/workers", "Workers"],
  ["/schedules", "Schedules"],
  ["/lanes", "Lanes"],
  ["/errors", "Errors"],
  ["/alerts", "Alerts"],
  ["/reports", "Reports"],
  ["/server", "Server"],
] as const;

export type Section = (typeof NAV)[number][0];

function isCurrent(section: Section, path: string): boolean {
  return section === "/" ? path === "/" : path === section || path.startsWith(section + "/");
}

/**
 * `flash`: a message to show as the page opens (an action's, carried across its redirect).
 * `live`: the page refreshes itself from its address; not for a page answering a post (whose
 * address is an action's).
 */
export function Layout({ title, flash, live = true, children }: { title: string; flash?: Child; live?: boolean; children: Child }) {
  const ui = useUi();
  const path = ui.url.split("?")[0]!;
  const assets = (name: string) => `/assets/${name}?v=${ui.version}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"morphIgnore":["data-htmx-powered","open"],"defaultTimeout":20000}' />
        <title>{`${title} · spool`}</title>
        <link rel="icon" href={assets("favicon.svg")} type="image/svg+xml" />
        <link rel="stylesheet" href={assets("style.css")} />
        <script src={assets("htmx.js")} defer></script>
        <script src={assets("hx-sse.js")} defer></script>
        <script src={assets("app.js")} defer></script>
      </head>
      <body hx-headers:inherited={JSON.stringify({ "X-CSRF-Token": ui.csrf })}>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/"><Logo /> spool</a>
          <nav class="nav" aria-label="Sections">
            {NAV.map(([href, label]) => (
              <a href={href} aria-current={isCurrent(href, path) ? "page" : undefined}>{label}</a>
            ))}
          </nav>
          <div class="top-actions">
            <button type="button" class="live small" data-live-switch aria-pressed="true" title="Updating by itself; click to pause">
              <span class="dot" aria-hidden="true"></span>
              <span class="txt">Live</span>
            </button>
            {ui.signedIn && (
              <form class="inline" method="post" action="/logout">
                <input type="hidden" name="_csrf" value={ui.csrf} />
                <span class="who hide-sm">{ui.role} </span>
                <button type="submit" class="small">Sign out</button>
              </form>
            )}
          </div>
        </header>
        <div hx-sse:connect="/live" hidden></div>
        {live
          ? <main id="main" data-live hx-get={ui.url} hx-trigger="spool:refresh" hx-select="#main" hx-swap="outerMorph" tabindex={-1}>{children}</main>
          : <main id="main" tabindex={-1}>{children}</main>}
        <div id="flash" aria-live="polite">{flash}</div>
      </body>
    </html>
  );
}

/** A page's heading row: breadcrumbs, title, a line under it, and controls on the right. */
export function PageHead({ title, crumbs = [], sub, children }: { title: Child; crumbs?: [string, string][]; sub?: Child; children?: Child }) {
  return (
    <div class="page-head">
      <div>
        {crumbs.length > 0 && (
          <div class="crumbs">
            {crumbs.map(([href, label], i) => (
              <>
                {i > 0 && " / "}
                <a href={href}>{label}</a>
              </>
            ))}
          </div>
        )}
        <h1>{title}</h1>
        {sub && <p class="sub">{sub}</p>}
      </div>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}

/**
 * A flash message: what an action did, or why it could not. The dashboard's script dismisses
 * one that says it worked after a few seconds and keeps at most a few; a refusal stays until
 * closed.
 */
export function Flash({ ok, children }: { ok: boolean; children: Child }) {
  return (
    <div class={`flash ${ok ? "ok" : "bad"}`} role={ok ? "status" : "alert"} data-flash>
      <div class="flash-text">{children}</div>
      <button type="button" class="flash-close" data-dismiss aria-label="Dismiss" title="Dismiss">×</button>
    </div>
  );
}
