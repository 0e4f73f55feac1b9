/** SpoolError and its kinds: each carries the code and HTTP status it is answered with. */

export class SpoolError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = "SpoolError";
  }
}

/** A reason `spool serve` cannot start, said in one line that names the file or setting at fault. */
export class CannotStart extends Error {}

export const validationFailed = (message: string, details: unknown[] = []) =>
  new SpoolError("validation_failed", 400, message, details);
export const notFound = (what: string) => new SpoolError("not_found", 404, `${what} not found`);
export const conflict = (message: string, details: unknown[] = []) => new SpoolError("conflict", 409, message, details);
export const leaseLost = (id: string) =>
  new SpoolError("lease_lost", 409, `job ${id} is no longer leased with this token (expired, cancelled or finished)`);
/**
 * Storage cannot take the request now (disk full, database locked, Redis unreachable): every
 * store throws this for such failures, and the API answers 503 with Retry-After. Nothing
 * acknowledged is lost; the same request may be sent again later.
 */
export class StorageUnavailable extends SpoolError {
  constructor(message: string) {
    super("storage_unavailable", 503, message);
    this.name = "StorageUnavailable";
  }
}

export const storageUnavailable = (message: string) => new StorageUnavailable(message);
export const unauthorized = (message = "a valid bearer token is required") => new SpoolError("unauthorized", 401, message);
export const forbidden = (message: string) => new SpoolError("forbidden", 403, message);
