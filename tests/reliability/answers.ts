/** Sending a request and judging its answer: no 5xx, a documented success valid against its schema, or a 4xx in the one error shape. */
import { check, type OpenApiDoc } from "./json-schema.ts";
import { urlOf, type Request } from "./operations.ts";

export type Answer = { status: number; contentType: string; text: string } | { status: null; error: string };

/** fetch, reading the whole body except for event streams, which are closed once their headers arrive. */
export async function send(base: string, req: Request, timeoutMs = 20_000): Promise<Answer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const body = typeof req.body === "function" ? req.body() : req.body;
    const res = await fetch(urlOf(base, req), { method: req.method, headers: req.headers, body, redirect: "manual", signal: abort.signal });
    const contentType = res.headers.get("content-type") ?? "";
    if (contentType.startsWith("text/event-stream")) {
      abort.abort();
      return { status: res.status, contentType, text: "" };
    }
    return { status: res.status, contentType, text: await res.text() };
  } catch (err) {
    return { status: null, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Why an error body is not {"error": {"code", "message", "details"}}; null when it is. */
export function errorShapeProblem(text: string): string | null {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${JSON.stringify(text.slice(0, 120))}`;
  }
  const e = body?.error;
  if (!e || typeof e !== "object" || Object.keys(body).length !== 1) return "no top-level error object";
  if (Object.keys(e).sort().join() !== "code,details,message") return `error has fields ${Object.keys(e).join(",")}`;
  if (typeof e.code !== "string" || typeof e.message !== "string" || !e.message || !Array.isArray(e.details)) return "error fields of the wrong type";
  return null;
}

/** Why the answer breaks the contract; null when it keeps it. */
export function answerProblem(doc: OpenApiDoc, req: Request, answer: Answer, mustRefuse: boolean): string | null {
  if (answer.status === null) return `no answer (${answer.error})`;
  const { status, text, contentType } = answer;
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (status >= 400) return errorShapeProblem(text);
  if (mustRefuse) return `accepted with ${status} a request that must be refused: ${text.slice(0, 200)}`;
  if (!req.op) return null;
  const declared = req.op.responses[String(status)];
  if (!declared) return `${status} is not a documented answer of ${req.op.method} ${req.op.path}`;
  const schema = declared.content?.["application/json"]?.schema;
  if (!schema || !contentType.includes("application/json")) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `success body is not JSON: ${text.slice(0, 120)}`;
  }
  const wrong = check(doc, schema, body);
  return wrong.length ? `success body breaks the schema: ${wrong.join("; ")}` : null;
}

/** Runs `count` requests to `base` made by `next(i)` with at most `concurrency` in flight; `judge` sees each answer. */
export async function runPool(base: string, count: number, concurrency: number, next: (i: number) => Request | null, judge: (req: Request, answer: Answer) => void): Promise<number> {
  let issued = 0;
  let sent = 0;
  const lane = async () => {
    while (issued < count) {
      const req = next(issued++);
      if (!req) continue;
      sent++;
      judge(req, await send(base, req));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return sent;
}
