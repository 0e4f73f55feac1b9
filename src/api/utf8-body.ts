/**
 * JSON bodies must be UTF-8 (RFC 8259). Decoded leniently, bytes that are not would turn into
 * U+FFFD and be stored as such, changing what the client sent; they are refused with 400 instead.
 */
import type { MiddlewareHandler } from "hono";
import { validationFailed } from "../core/errors.ts";
import type { ApiEnv } from "./env.ts";

const strict = new TextDecoder("utf-8", { fatal: true });

/** The body's text, or a 400 when its bytes are not UTF-8. */
export function utf8Text(bytes: ArrayBuffer): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw validationFailed("the request body is not valid UTF-8 (JSON is sent as UTF-8, whatever charset the Content-Type names)");
  }
}

/** Checks a JSON request's body before the routes read it (they read the same bytes, kept by the request). */
export function utf8JsonBodies(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const type = c.req.header("content-type");
    if (type !== undefined && /^application\/(.+\+)?json\b/i.test(type) && c.req.raw.body !== null) utf8Text(await c.req.arrayBuffer());
    return next();
  };
}
