/** Times the HTTP API reads from requests. */

/** A time the request schema has already checked is ISO 8601. */
export function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`${field} is not a valid ISO 8601 time`);
  return ms;
}
