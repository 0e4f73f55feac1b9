/** @jsxImportSource hono/jsx */
/** Rendering dashboard pages and the answers to dashboard actions. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { may } from "../api/auth.ts";
import type { ApiDeps, ApiEnv } from "../api/env.ts";
import { SpoolError } from "../core/errors.ts";
import { Flash, Layout } from "../../views/layout.tsx";
import { UiContext, type Ui } from "../../views/ui-context.ts";

export type WebContext = Context<ApiEnv>;

export function uiOf(c: WebContext, deps: ApiDeps): Ui {
  const principal = c.get("principal");
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  return {
    role: principal.via === "open" ? null : principal.role,
    can: (permission) => may(principal, permission),
    csrf: principal.csrf ?? "",
    origin: `${url.protocol}//${host}`,
    url: url.pathname + url.search,
    now: deps.clock.now(),
    version: deps.server.version,
    signedIn: principal.via === "session",
  };
}

/** A whole page: one HTML document whose #main is also what live refreshes swap. */
export async function page(c: WebContext, deps: ApiDeps, title: string, body: Child, status = 200) {
  const html = await (
    <UiContext.Provider value={uiOf(c, deps)}>
      <Layout title={title}>{body}</Layout>
    </UiContext.Provider>
  );
  return c.html("<!doctype html>" + html, status as 200, { "cache-control": "no-store" });
}

/** A fragment rendered with the caller's context (no layout). */
export async function fragment(c: WebContext, deps: ApiDeps, body: Child, status = 200, headers: Record<string, string> = {}) {
  const html = await <UiContext.Provider value={uiOf(c, deps)}>{body}</UiContext.Provider>;
  return c.html(String(html), status as 200, { "cache-control": "no-store", ...headers });
}

/**
 * Runs a dashboard action and answers with a flash message. htmx shows it and refreshes the
 * page's live region (HX-Trigger); a plain form post is sent back to the page it came from.
 * Refusals keep their status and say why.
 */
export async function act(c: WebContext, deps: ApiDeps, run: () => Promise<Child>) {
  let ok = true;
  let status = 200;
  let message: Child;
  try {
    message = await run();
  } catch (err) {
    if (!(err instanceof SpoolError)) throw err;
    ok = false;
    status = err.status;
    message = err.message;
  }
  if (!c.req.header("hx-request")) return c.redirect(backTo(c), 303);
  return fragment(c, deps, <Flash ok={ok}>{message}</Flash>, status, ok ? { "HX-Trigger": "spool:changed" } : {});
}

/** The same-site page a form was posted from, else the overview. */
function backTo(c: WebContext): string {
  const referer = c.req.header("referer");
  if (!referer) return "/";
  try {
    const url = new URL(referer);
    return url.host === new URL(c.req.url).host ? url.pathname + url.search : "/";
  } catch {
    return "/";
  }
}

/** Form fields of a dashboard post (urlencoded or multipart), as strings. */
export async function formOf(c: WebContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}
