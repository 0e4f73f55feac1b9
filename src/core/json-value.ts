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
