/** Who is looking at the dashboard: a session (or open mode), sent to sign in otherwise. What they may change is checked by the API's own `allow`. */
import type { Context, MiddlewareHandler } from "hono";
import { checkBrowserRequest } from "../api/auth.ts";
import type { ApiDeps, ApiEnv } from "../api/env.ts";

/**
 * Where a signed-out visitor is sent, remembering the page to come back to: the page asked
 * for, or, for an action (a post, which cannot be repeated by following a link), the page it
 * was sent from.
 */
export function signInUrl(c: Context): string {
  const url = new URL(c.req.url);
  const next = c.req.method === "GET" ? url.pathname + url.search : pageOf(c, url);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

/** The same-site page a request was sent from (htmx's HX-Current-URL, else the referer), else the overview. */
export function pageOf(c: Context, url = new URL(c.req.url)): string {
  const from = c.req.header("hx-current-url") ?? c.req.header("referer");
  if (!from) return "/";
  try {
    const page = new URL(from);
    return page.host === url.host ? page.pathname + page.search : "/";
  } catch {
    return "/";
  }
}

/** Page middleware: a live session or open mode, else off to /login (htmx requests are told to go there). */
export function dashboardSession(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = await deps.auth.fromBrowser(c);
    if (!principal) {
      if (c.req.header("hx-request")) return c.body(null, 401, { "HX-Redirect": signInUrl(c) });
      return c.redirect(signInUrl(c), 303);
    }
    await checkBrowserRequest(c, principal, true);
    c.set("principal", principal);
    return next();
  };
}
