/** Declaring a route: its OpenAPI description, the permission it needs, and the standard error answers. */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { validationFailed } from "../core/errors.ts";
import { allow, type Permission } from "./auth.ts";
import { errorResponses } from "./schemas/common.ts";

type Declared = Omit<RouteConfig, "middleware" | "security"> & { errors?: number[] };

// The validator reads a body without a Content-Type as {}; a route that needs a JSON body refuses it instead.
const contentTypeRequired: MiddlewareHandler = async (c, next) => {
  if (!c.req.header("content-type")) throw new HTTPException(415, { message: "Unsupported Media Type" });
  return next();
};

/** What a route that takes no body still accepts as one: nothing, or JSON that says nothing (an empty object or list, null), as some clients send. */
const saysNothing = (text: string) => /^\s*(\{\s*\}|\[\s*\]|null)?\s*$/.test(text);

/**
 * A change that takes no body refuses one that says something: `{"errorType": "A"}` sent to
 * retry-failed would otherwise be ignored and retry every failed job, where its query
 * (`?errorType=A`) would have retried some.
 */
const noBodyAccepted: MiddlewareHandler = async (c, next) => {
  const sent = c.req.header("content-length") !== undefined || c.req.header("transfer-encoding") !== undefined;
  if (sent && !saysNothing(await c.req.text())) {
    throw validationFailed("this request takes no body: its options, if any, go in the query string", [
      { path: "body", message: "must be empty; options go in the query string" },
    ]);
  }
  return next();
};

/** A route that needs `permission`; documents bearer auth and the standard error answers. */
export function route<const R extends Declared>(permission: Permission, config: R): Omit<R, "errors"> {
  const { errors = [], ...rest } = config;
  const body = rest.request?.body as { required?: boolean } | undefined;
  const checks = body?.required ? [contentTypeRequired] : body === undefined && rest.method !== "get" ? [noBodyAccepted] : [];
  return createRoute({
    ...rest,
    security: [{ Bearer: [] }],
    middleware: [allow(permission), ...checks],
    responses: { ...errorResponses(...errors), ...rest.responses },
  } as RouteConfig) as unknown as Omit<R, "errors">;
}

/** JSON request body, required. */
export function jsonBody<T>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

/** JSON request body that may be left out entirely. */
export function optionalJsonBody<T>(schema: T) {
  return { required: false, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}
