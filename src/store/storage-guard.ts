/**
 * One face for storage failures, whatever the store: a store opened for spool (open-store.ts)
 * turns its own kind of "storage cannot take this now" (SQLite's full disk or lock, Redis's
 * lost connection) into StorageUnavailable, which the API answers with 503 and Retry-After.
 */
import { SpoolError, type StorageUnavailable } from "../core/errors.ts";

/** Says whether an error a store threw means storage is unavailable, as the error to throw instead; null for any other error. */
export type StorageFailureOf = (err: unknown) => StorageUnavailable | null;

/**
 * The store, with every method's storage failures thrown as StorageUnavailable (other errors
 * pass as they are). Methods run on the store itself; `overrides` replace some of them.
 */
export function guardStorage<T extends object>(store: T, failureOf: StorageFailureOf, overrides: Partial<T> = {}): T {
  const guarded = new Map<PropertyKey, unknown>();
  const rethrow = (err: unknown): never => {
    throw err instanceof SpoolError ? err : (failureOf(err) ?? err);
  };
  // The proxy stands on an empty object that inherits from the store (instanceof still holds):
  // a store's own read-only properties would otherwise forbid answering them with a wrapper.
  return new Proxy(Object.create(store) as T, {
    get(_, name) {
      if (Object.hasOwn(overrides, name)) return overrides[name as keyof T];
      const value = Reflect.get(store, name, store);
      if (typeof value !== "function") return value;
      let fn = guarded.get(name);
      if (!fn) {
        fn = (...args: unknown[]) => {
          try {
            const result = Reflect.apply(value, store, args);
            return result instanceof Promise ? result.catch(rethrow) : result;
          } catch (err) {
            return rethrow(err);
          }
        };
        guarded.set(name, fn);
      }
      return fn;
    },
  });
}
