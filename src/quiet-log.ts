/** Error logs for background duties (workers, deliveries, the scheduler) that fail the same way every second during an outage. */
import { SpoolError } from "./core/errors.ts";

/**
 * A log for one duty: our own errors (storage unavailable, …) as one line, and the same
 * message again only once a minute, so an outage is a line a minute, not a stack a second.
 * Other errors are printed whole, every time.
 */
export function quietLog(prefix: string): (err: unknown) => void {
  let last = "";
  let lastAt = -Infinity;
  let repeats = 0;
  return (err) => {
    if (!(err instanceof SpoolError)) return console.error(prefix, err);
    const now = performance.now();
    if (err.message === last && now - lastAt < 60_000) {
      repeats++;
      return;
    }
    console.error(`${prefix} ${err.message}${repeats ? ` (and ${repeats} more times)` : ""}`);
    [last, lastAt, repeats] = [err.message, now, 0];
  };
}
