/** @jsxImportSource hono/jsx */
/**
 * A button that changes something: a form posting to the dashboard's own route (it works without
 * JavaScript too), sent by htmx so the answer lands in the flash area. Hidden from callers whose
 * role may not do it; every post carries the CSRF token.
 */
import type { Child } from "hono/jsx";
import { useUi, type Permission } from "../ui-context.ts";

export type ActionProps = {
  to: string;
  label: Child;
  permission?: Permission;
  /** Asked before the request is sent. */
  confirm?: string;
  tone?: "primary" | "danger" | "";
  small?: boolean;
  /** Extra form fields. */
  fields?: Record<string, string>;
  /** Where the answer goes; the flash area by default. */
  target?: string;
  title?: string;
};

/** The field that carries an action's question (asked on a page without JavaScript), and the one that marks it answered. */
export const QUESTION_FIELD = "_confirm";
export const CONFIRMED_FIELD = "_confirmed";

export function Csrf() {
  return <input type="hidden" name="_csrf" value={useUi().csrf} />;
}

export function Action({ to, label, permission = "admin", confirm, tone = "", small = true, fields = {}, target = "#flash", title }: ActionProps) {
  const ui = useUi();
  if (!ui.can(permission)) return null;
  return (
    <form class="inline" method="post" action={to} hx-post={to} hx-target={target} hx-swap={target === "#flash" ? "beforeend" : "innerHTML"} hx-confirm={confirm}>
      <Csrf />
      {Object.entries(fields).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
      {/* Without JavaScript there is no dialog: the server asks on a page of its own (act, ConfirmPage). */}
      {confirm && <input type="hidden" name={QUESTION_FIELD} value={confirm} />}
      <button type="submit" class={[tone, small ? "small" : ""].filter(Boolean).join(" ")} title={title}>{label}</button>
    </form>
  );
}
