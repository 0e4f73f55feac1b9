/** Declaring a route: its OpenAPI description, the permission it needs, and the standard error answers. */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { allow, type Permission } from "./auth.ts";
import { errorResponses } from "./schemas/common.ts";

type Declared = Omit<RouteConfig, "middleware" | "security"> & { errors?: number[] };

// The validator reads a body without a Content-Type as {}; a route that needs a JSON body refuses it instead.
const contentTypeRequired: MiddlewareHandler = async (c, next) => {
  if (!c.req.header("content-type")) throw new HTTPException(415, { message: "Unsupported Media Type" });
  return next();
};

/** A route that needs `permission`; documents bearer auth and the standard error answers. */
export function route<const R extends Declared>(permission: Permission, config: R): Omit<R, "errors"> {
  const { errors = [], ...rest } = config;
  const bodyRequired = (rest.request?.body as { required?: boolean } | undefined)?.required === true;
  return createRoute({
    ...rest,
    security: [{ Bearer: [] }],
    middleware: bodyRequired ? [allow(permission), contentTypeRequired] : allow(permission),
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
