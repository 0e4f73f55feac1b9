/** Tokens (admin only): list with last use, create (the token is shown once), revoke at once. */
import { z } from "@hono/zod-openapi";
import type { TokenRecord } from "../../core/store.ts";
import type { App, ApiDeps } from "../env.ts";
import { iso, isoOrNull } from "../../core/iso-time.ts";
import { jsonBody, jsonResponse, route } from "../route.ts";
import { CreatedTokenSchema, NewTokenSchema, TokenId, TokenSchema } from "../schemas/token.ts";

/** A token as admins see it: what it is for and when it was used, never the token or its hash. */
export function renderToken(t: TokenRecord) {
  return { id: t.id, name: t.name, role: t.role, createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt) };
}

const list = route("admin", {
  method: "get",
  path: "/v1/tokens",
  operationId: "listTokens",
  tags: ["Tokens"],
  summary: "API tokens with their role and last use, oldest first (never the tokens themselves)",
  responses: { 200: jsonResponse(z.object({ tokens: z.array(TokenSchema) }), "Tokens") },
});

const create = route("admin", {
  method: "post",
  path: "/v1/tokens",
  operationId: "createToken",
  tags: ["Tokens"],
  summary: "Create a token; the answer shows it once",
  description: "Only the token's hash is stored: keep the `token` of this answer, it cannot be shown again.",
  request: { body: jsonBody(NewTokenSchema) },
  responses: { 201: jsonResponse(CreatedTokenSchema, "The new token, shown this once") },
});

const revoke = route("admin", {
  method: "delete",
  path: "/v1/tokens/{id}",
  operationId: "revokeToken",
  tags: ["Tokens"],
  summary: "Revoke a token: refused from the next request on, and its dashboard sessions end",
  request: { params: z.object({ id: TokenId }) },
  errors: [404],
  responses: { 204: { description: "Revoked" } },
});

export function registerTokenRoutes(app: App, { auth }: ApiDeps): void {
  app.openapi(list, async (c) => c.json({ tokens: (await auth.listTokens()).map(renderToken) }, 200));
  app.openapi(create, async (c) => {
    const { role, name } = c.req.valid("json");
    const created = await auth.createToken(role, name ?? null);
    return c.json({ token: created.token, id: created.id, role: created.role, name: created.name, createdAt: iso(created.createdAt) }, 201);
  });
  app.openapi(revoke, async (c) => {
    const { id } = c.req.valid("param");
    await auth.revokeToken(id);
    return c.body(null, 204);
  });
}
