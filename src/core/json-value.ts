/** What spool keeps as a job's payload, result and checkpoint: JSON of bounded depth, with finite numbers only. */

/** Arrays and objects may nest this deep; deeper values are refused rather than stored. */
export const MAX_JSON_DEPTH = 100;

/**
 * Why a value cannot be stored as JSON, or null when it can. Numbers must be finite (a
 * `1e309` in a request body parses to Infinity and would be stored as null), nesting stays
 * within MAX_JSON_DEPTH (which also catches circular references), and nothing that JSON
 * cannot hold (BigInt, functions, symbols) may appear anywhere. Walks without recursion, so
 * a hostile 10 000-level array costs a loop, not the stack.
 */
export function jsonValueProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || v === undefined || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "must hold finite numbers only (no 1e309, NaN or Infinity)";
      continue;
    }
    if (typeof v !== "object") return `must be JSON (a ${typeof v} is not)`;
    if (depth >= maxDepth) return `must not nest arrays and objects more than ${maxDepth} levels deep`;
    // Dates and other objects with toJSON are written as what toJSON returns.
    if (!Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON === "function") continue;
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1]);
  }
  return null;
}

/**
 * `value` as the plain JSON data it stands for (what JSON.stringify makes of it, read back), or
 * why it cannot be stored. For values handed over by code rather than parsed from a request (an
 * in-process handler's result): reading one runs its getters, proxy traps and toJSON, any of
 * which may throw, and toJSON may give what JSON cannot hold. What comes back is inert data
 * that stores and sends without surprises.
 */
export function plainJson(value: unknown): { value: unknown } | { problem: string } {
  if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") return { problem: `must be JSON (a ${typeof value} is not)` };
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new NotJson("must hold finite numbers only (no NaN or Infinity)");
      if (typeof v === "bigint") throw new NotJson("must be JSON (a bigint is not)");
      return v;
    });
  } catch (err) {
    if (err instanceof NotJson) return { problem: err.message };
    const message = err instanceof Error ? err.message : "";
    if (/cyclic|circular/i.test(message)) return { problem: "must not contain itself (a circular structure)" };
    if (err instanceof RangeError) return { problem: `must not nest arrays and objects more than ${MAX_JSON_DEPTH} levels deep` };
    return { problem: `could not be read as JSON: ${message || describe(err)}` };
  }
  if (text === undefined) return { value: null };
  const data: unknown = JSON.parse(text);
  const problem = jsonValueProblem(data);
  return problem ? { problem } : { value: data };
}

class NotJson extends Error {}

/** What was thrown, said without running any of its code. */
function describe(thrown: unknown): string {
  return thrown === null || (typeof thrown !== "object" && typeof thrown !== "function") ? String(thrown) : "a value that is not an Error";
}
