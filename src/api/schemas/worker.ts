/** Worker schemas: a worker as the registry shows it, and a push target's signing secret. */
import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common.ts";

export const WorkerSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["http", "in-process", "push"]).openapi({ description: "http: a pull worker over HTTP (including `spool work --exec`); in-process: a handler in a Bun program; push: spool delivering a queue to its target" }),
    name: z.string().nullable(),
    host: z.string().nullable(),
    queues: z.array(z.string()),
    concurrency: z.number().int().nullable(),
    active: z.number().int().openapi({ description: "Jobs it holds leased now" }),
    processed: z.number().int().openapi({ description: "Attempts it completed" }),
    failed: z.number().int().openapi({ description: "Attempts that failed or whose lease expired while it held them" }),
    online: z.boolean().openapi({ description: "Seen within the last 30 s" }),
    firstSeenAt: Timestamp,
    lastSeenAt: Timestamp,
    shutdownRequestedAt: Timestamp.nullable().openapi({ description: "When an operator asked it to shut down; it is told so in its next claim or heartbeat answer" }),
  })
  .openapi("Worker");

export const WorkerId = z.string().min(1).max(200).openapi({ param: { name: "id", in: "path" }, example: "mail-worker-1" });

export const TargetSecretSchema = z
  .object({
    queue: z.string(),
    secret: z.string().openapi({ description: "HMAC-SHA256 key of the Spool-Signature header" }),
    previousSecret: z.string().nullable().openapi({ description: "The secret before the last rotation; deliveries are signed with it too for 24 h after the rotation" }),
    rotatedAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .openapi("TargetSecret");
