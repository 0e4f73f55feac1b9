/** @jsxImportSource hono/jsx */
/** Rendering dashboard pages and the answers to dashboard actions. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { may } from "../api/auth.ts";
import type { ApiDeps, ApiEnv } from "../api/env.ts";
import { SpoolError } from "../core/errors.ts";
import { Flash, Layout } from "../../views/layout.tsx";
import { CONFIRMED_FIELD, QUESTION_FIELD } from "../../views/components/action.tsx";
import { ConfirmPage } from "../../views/pages/confirm.tsx";
import { pageOf } from "./guard.ts";
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

/**
 * What an action said, carried across the redirect that follows a plain form post (no
 * JavaScript) or a deletion, to be shown once by the next page: `{ok, text}`, URI-encoded.
 */
const FLASH_COOKIE = "spool_flash";

function flashCookie(ok: boolean, text: string): string {
  return `${FLASH_COOKIE}=${encodeURIComponent(JSON.stringify({ ok, text }))}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60`;
}

/** The flash a redirect carried to this page, if any (its cookie is cleared with the answer). */
function carriedFlash(c: WebContext): { ok: boolean; text: string } | null {
  const raw = c.req.header("cookie")?.match(new RegExp(`(?:^|;\\s*)${FLASH_COOKIE}=([^;]*)`))?.[1];
  if (!raw) return null;
  try {
    const { ok, text } = JSON.parse(decodeURIComponent(raw));
    return typeof text === "string" ? { ok: ok === true, text } : null;
  } catch {
    return null;
  }
}

/** A whole page: one HTML document whose #main is also what live refreshes swap. */
export async function page(c: WebContext, deps: ApiDeps, title: string, body: Child, status = 200) {
  const carried = carriedFlash(c);
  const html = await (
    <UiContext.Provider value={uiOf(c, deps)}>
      <Layout title={title} flash={carried && <Flash ok={carried.ok}>{carried.text}</Flash>} live={c.req.method === "GET"}>{body}</Layout>
    </UiContext.Provider>
  );
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (carried) headers["set-cookie"] = `${FLASH_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  return c.html("<!doctype html>" + html, status as 200, headers);
}

/** Sends the browser to `to` (303), the action's message going with it to be shown there. */
async function redirectWithFlash(c: WebContext, to: string, ok: boolean, message: Child) {
  c.header("set-cookie", flashCookie(ok, await textOf(message)));
  return c.redirect(to, 303);
}

/** A message's text, without markup. */
async function textOf(message: Child): Promise<string> {
  if (typeof message === "string") return message;
  const html = String(await <>{message}</>);
  return html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** A fragment rendered with the caller's context (no layout). */
export async function fragment(c: WebContext, deps: ApiDeps, body: Child, status = 200, headers: Record<string, string> = {}) {
  const html = await <UiContext.Provider value={uiOf(c, deps)}>{body}</UiContext.Provider>;
  return c.html(String(html), status as 200, { "cache-control": "no-store", ...headers });
}

/** What an action that leaves its page answers (a deletion: the page is gone): where to go, and its message, shown there. */
export class MovedTo {
  constructor(
    readonly to: string,
    readonly message: string,
  ) {}
}

/**
 * Runs a dashboard action and answers with a flash message. htmx shows it and refreshes the
 * page's live region (HX-Trigger); a plain form post is sent back to the page it came from,
 * which shows the message. An action answering MovedTo sends the browser on (htmx by
 * HX-Redirect, as re-reading the page would ask for what is gone), the message with it.
 * Refusals keep their status and say why.
 */
export async function act(c: WebContext, deps: ApiDeps, run: () => Promise<Child | MovedTo>) {
  // A post that asks a question (a destructive action) and came without htmx, whose dialog asks
  // it: the question is asked on a page first, whose form posts the same fields again, confirmed.
  if (!c.req.header("hx-request")) {
    const { [QUESTION_FIELD]: question, [CONFIRMED_FIELD]: confirmed, _csrf: _token, ...fields } = await formOf(c);
    if (question && !confirmed) {
      return page(c, deps, "Are you sure?", <ConfirmPage data={{ question, to: new URL(c.req.url).pathname, fields: { [QUESTION_FIELD]: question, ...fields }, back: pageOf(c) }} />);
    }
  }
  let ok = true;
  let status = 200;
  let message: Child;
  try {
    const outcome = await run();
    if (outcome instanceof MovedTo) {
      if (!c.req.header("hx-request")) return redirectWithFlash(c, outcome.to, true, outcome.message);
      c.header("set-cookie", flashCookie(true, outcome.message));
      return c.body(null, 200, { "HX-Redirect": outcome.to });
    }
    message = outcome;
  } catch (err) {
    if (!(err instanceof SpoolError)) throw err;
    ok = false;
    status = err.status;
    message = err.message;
  }
  if (!c.req.header("hx-request")) return redirectWithFlash(c, pageOf(c), ok, message);
  return fragment(c, deps, <Flash ok={ok}>{message}</Flash>, status, ok ? { "HX-Trigger": "spool:changed" } : {});
}


/** Form fields of a dashboard post (urlencoded or multipart), as strings. */
export async function formOf(c: WebContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}
