/** @jsxImportSource hono/jsx */
/** /login and /logout: a token in, a session cookie out; signing out ends the session at once. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { clearedSessionCookie, fromThisSite, sessionCookie, sessionIdOf } from "../../api/sessions.ts";
import { LoginPage, SignedOutPage } from "../../../views/pages/login.tsx";
import { dashboardSession } from "../guard.ts";
import { formOf } from "../render.tsx";

/**
 * Only a path of this site: never an absolute or protocol-relative URL (an open redirect),
 * written plainly or with characters browsers drop or turn into a slash (tab, newline,
 * backslash), and never anything a Location header cannot carry.
 */
function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  const base = "http://spool.invalid";
  const url = URL.parse(next, base);
  return url && url.origin === base ? url.pathname + url.search + url.hash : "/";
}

export function registerLogin(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { auth, server } = deps;
  const loginPage = async (next: string, error: string | null, status: number) =>
    new Response("<!doctype html>" + (await <LoginPage next={next} error={error} version={server.version} />), {
      status,
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    });

  web.get("/login", async (c) => {
    if (!(await auth.required())) return c.redirect("/", 303);
    return loginPage(safeNext(c.req.query("next")), null, 200);
  });

  web.post("/login", async (c) => {
    if (!(await auth.required())) return c.redirect("/", 303);
    if (!fromThisSite(c)) return loginPage("/", "Sign-in refused: the form was sent from another site.", 403);
    const form = await formOf(c);
    const next = safeNext(form.next);
    const principal = form.token ? await auth.fromToken(form.token.trim()) : null;
    if (!principal) return loginPage(next, "That token is unknown or has been revoked.", 401);
    const session = await auth.openSession(principal);
    if (!session) return loginPage(next, "That token was revoked while signing in.", 401);
    c.header("set-cookie", sessionCookie(c, session.id, session.maxAgeMs));
    return c.redirect(next, 303);
  });

  web.get("/logout", dashboardSession(deps), async (c) => {
    const csrf = c.get("principal").csrf ?? "";
    return c.html("<!doctype html>" + (await <SignedOutPage version={server.version} csrf={csrf} />));
  });

  web.post("/logout", dashboardSession(deps), async (c) => {
    const id = sessionIdOf(c);
    if (id) await auth.endSession(id);
    c.header("set-cookie", clearedSessionCookie());
    return c.redirect((await auth.required()) ? "/login" : "/", 303);
  });
}
