/** Answers already written as JSON text, sent as they are (a job's payload passes through as stored). */
import type { Context } from "hono";

/** An answer already written as JSON text. */
export class JsonText {
  constructor(readonly text: string) {}

  /** The answer as a response body: the text, or any other value serialised. */
  static of(answer: unknown): string {
    return answer instanceof JsonText ? answer.text : JSON.stringify(answer);
  }
}

/**
 * A JSON response from text the route wrote itself, in its schema's shape (typed as the route's
 * answer: the text is not checked against it, as c.json's object is not either).
 */
export function jsonText(c: Context, text: string, status: 200 | 201): never {
  return c.body(text, status, { "Content-Type": "application/json" }) as never;
}

/** `{"jobs":[…]}` and the other fields of `rest` after it, from each job's JSON text. */
export function jobsJson(jobs: string[], rest: object = {}): string {
  const more = JSON.stringify(rest);
  return `{"jobs":[${jobs.join(",")}]${more === "{}" ? "" : `,${more.slice(1, -1)}`}}`;
}
