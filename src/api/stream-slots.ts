/**
 * Open event streams per token. Each stream follows the event log for as long as its client
 * listens, so a token (a session counts as the token that opened it) may hold at most `limit`
 * at once; one more is refused with 429 until one ends.
 */
import { SpoolError } from "../core/errors.ts";
import type { Principal } from "./env.ts";

/** Enough for a producer waiting on a thousand jobs' results at once, each through a stream of its own. */
export const MAX_STREAMS_PER_TOKEN = 1000;

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(
    /** What the streams are, for the refusal's message. */
    private readonly what: string,
    readonly limit = MAX_STREAMS_PER_TOKEN,
  ) {}

  /** Takes one of the principal's slots, or throws 429; the function returned gives it back (calls after the first do nothing). */
  take(principal: Principal): () => void {
    const holder = principal.tokenId ?? principal.via;
    const held = this.open.get(holder) ?? 0;
    if (held >= this.limit) {
      throw new SpoolError("too_many_streams", 429, `${held} ${this.what} are open with these credentials, the most allowed at once; close one first`, [1]);
    }
    this.open.set(holder, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.open.get(holder) ?? 1) - 1;
      if (left > 0) this.open.set(holder, left);
      else this.open.delete(holder);
    };
  }
}
