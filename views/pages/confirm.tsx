/** @jsxImportSource hono/jsx */
/**
 * The question a destructive action asks before it runs, as a page: what the browser asks in a
 * dialog with JavaScript, a form without it. Confirming posts the same fields again, marked.
 */
import { CONFIRMED_FIELD, Csrf } from "../components/action.tsx";
import { PageHead } from "../layout.tsx";

export type ConfirmData = { question: string; to: string; fields: Record<string, string>; back: string };

export function ConfirmPage({ data }: { data: ConfirmData }) {
  return (
    <>
      <PageHead title="Are you sure?" sub={data.question} />
      <section class="panel" aria-label="Confirm">
        <form method="post" action={data.to} class="actions">
          <Csrf />
          {Object.entries(data.fields).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
          <input type="hidden" name={CONFIRMED_FIELD} value="1" />
          <button type="submit" class="danger">Yes, go ahead</button>
          <a href={data.back}>No, go back</a>
        </form>
      </section>
    </>
  );
}
