/** Who is looking at the dashboard: a session (or open mode), sent to sign in otherwise; and what they may change. */
import type { Context, MiddlewareHandler } from "hono";
import { checkBrowserRequest, may, type Permission } from "../api/auth.ts";
import type { ApiDeps, ApiEnv } from "../api/env.ts";
import { sessionIdOf } from "../api/sessions.ts";
import { forbidden } from "../core/errors.ts";

/** Where a signed-out visitor is sent, remembering the page they asked for. */
export function signInUrl(c: Context): string {
  const url = new URL(c.req.url);
  const next = url.pathname + url.search;
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

/** Page middleware: a live session or open mode, else off to /login (htmx requests are told to go there). */
export function dashboardSession(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const auth = deps.auth;
    let principal = (await auth.required()) ? null : auth.open();
    if (!principal) {
      const id = sessionIdOf(c);
      principal = id ? await auth.fromSession(id) : null;
    }
    if (!principal) {
      if (c.req.header("hx-request")) return c.body(null, 401, { "HX-Redirect": signInUrl(c) });
      return c.redirect(signInUrl(c), 303);
    }
    await checkBrowserRequest(c, principal, true);
    c.set("principal", principal);
    return next();
  };
}

/** Action middleware: refuses (403) a caller whose role lacks the permission, whatever the page showed. */
export function dashboardAllow(permission: Permission): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!may(principal, permission)) throw forbidden(`role ${principal?.role ?? "none"} may not do this`);
    return next();
  };
}
