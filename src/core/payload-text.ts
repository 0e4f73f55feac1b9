/**
 * A job's payload as the JSON text it is stored as, parsed only when something reads it. A job
 * claimed over HTTP or delivered to a push target goes out with that text as it is, so its
 * payload is never parsed and serialised again on its way through the server.
 */

/** Stored texts of payloads nothing has read yet (once read, a payload may be changed: it is serialised again). */
const unread = new WeakMap<object, string>();

/** Makes `job.payload` the value of `text`, parsed when first read (or replaced when first set). */
export function withStoredPayload<J extends { payload: unknown }>(job: J, text: string): J {
  unread.set(job, text);
  Object.defineProperty(job, "payload", {
    enumerable: true,
    configurable: true,
    get(this: J) {
      const value = JSON.parse(text);
      settle(this, value);
      return value;
    },
    set(this: J, value: unknown) {
      settle(this, value);
    },
  });
  return job;
}

function settle(job: object, value: unknown): void {
  unread.delete(job);
  Object.defineProperty(job, "payload", { value, enumerable: true, configurable: true, writable: true });
}

/** The payload as JSON text: as stored while nothing has read it, serialised otherwise. */
export function payloadJson(job: { payload: unknown }): string {
  return unread.get(job) ?? JSON.stringify(job.payload ?? null);
}
