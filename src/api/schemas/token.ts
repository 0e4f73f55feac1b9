/** Token schemas: a token as admins see it (never the token itself or its hash), and a new token shown once. */
import { z } from "@hono/zod-openapi";
import { TOKEN_ROLES } from "../../core/store.ts";
import { Timestamp } from "./common.ts";

export const TokenRoleSchema = z.enum(TOKEN_ROLES).openapi("TokenRole", {
  description: "admin: everything; producer: enqueue and read; worker: claim/complete/fail/heartbeat, enqueue and read; viewer: read",
});

export const TokenSchema = z
  .object({
    id: z.string().openapi({ description: "Names the token for listing and revoking; not a credential" }),
    name: z.string().nullable(),
    role: TokenRoleSchema,
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable().openapi({ description: "Last authenticated request, recorded at most once a minute; null when never used" }),
  })
  .openapi("Token");

export const NewTokenSchema = z
  .object({
    role: TokenRoleSchema,
    name: z.string().min(1).max(200).optional().openapi({ description: "A label to recognise the token by", example: "billing worker" }),
  })
  .strict()
  .openapi("NewToken");

export const CreatedTokenSchema = z
  .object({
    token: z.string().openapi({ description: "The bearer token. Shown in this answer only: spool stores just its hash", example: "spool_3q2-7wZk…" }),
    id: z.string(),
    role: TokenRoleSchema,
    name: z.string().nullable(),
    createdAt: Timestamp,
  })
  .openapi("CreatedToken");

export const TokenId = z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "7d3f0c1e-5b6a-4c4e-9a53-2f8b1d0e6c21" });
