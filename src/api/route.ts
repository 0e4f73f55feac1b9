/** Declaring a route: its OpenAPI description, the permission it needs, and the standard error answers. */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { allow, type Permission } from "./auth.ts";
import { errorResponses } from "./schemas/common.ts";

type Declared = Omit<RouteConfig, "middleware" | "security"> & { errors?: number[] };

/** A route that needs `permission`; documents bearer auth and the standard error answers. */
export function route<const R extends Declared>(permission: Permission, config: R): Omit<R, "errors"> {
  const { errors = [], ...rest } = config;
  return createRoute({
    ...rest,
    security: [{ Bearer: [] }],
    middleware: allow(permission),
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
