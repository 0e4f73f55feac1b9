/** @jsxImportSource hono/jsx */
/** The API call behind a list or an action, as a curl command to copy (`$SPOOL_TOKEN` stands for the session). */
import { useUi } from "../ui-context.ts";

export type ApiCall = { method?: string; path: string; body?: unknown; note?: string };

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function curlCommand(origin: string, call: ApiCall): string {
  const method = call.method ?? "GET";
  const lines = [`curl -sS${method === "GET" ? "" : ` -X ${method}`} ${shellQuote(origin + call.path)}`, `  -H "Authorization: Bearer $SPOOL_TOKEN"`];
  if (call.body !== undefined) lines.push(`  -H 'Content-Type: application/json'`, `  -d ${shellQuote(JSON.stringify(call.body))}`);
  return lines.join(" \\\n");
}

export function Curl({ call }: { call: ApiCall }) {
  const { origin } = useUi();
  return (
    <div class="curl">
      {call.note && <p class="hint">{call.note}</p>}
      <pre>{curlCommand(origin, call)}</pre>
      <button type="button" class="small" data-copy>Copy</button>
    </div>
  );
}

/** A folded list of the API calls a panel is made of or can make. */
export function ApiCalls({ calls, summary = "API calls" }: { calls: ApiCall[]; summary?: string }) {
  return (
    <details class="api">
      <summary>{summary}</summary>
      {calls.map((call) => <Curl call={call} />)}
    </details>
  );
}
