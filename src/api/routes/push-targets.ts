/** Push targets' signing secrets: read (created on first use) and rotate; admins only. */
import { z } from "@hono/zod-openapi";
import type { TargetSecret } from "../../core/worker-store.ts";
import { checkQueueName } from "../../core/enqueue.ts";
import { newTargetSecret } from "../../workers/push-signature.ts";
import type { App, ApiDeps } from "../env.ts";
import { jsonResponse, route } from "../route.ts";
import { QueueName } from "../schemas/common.ts";
import { TargetSecretSchema } from "../schemas/worker.ts";

import { isoOrNull as iso } from "../../core/iso-time.ts";

const render = (s: TargetSecret) => ({ ...s, rotatedAt: iso(s.rotatedAt), createdAt: iso(s.createdAt)! });

const params = { params: z.object({ queue: QueueName }) };

const get = route("admin", {
  method: "get",
  path: "/v1/queues/{queue}/target/secret",
  operationId: "getTargetSecret",
  tags: ["Queues"],
  summary: "The secret that signs the queue's push deliveries",
  description: "Created on first use (by this call or the first delivery). The receiver verifies `Spool-Signature` with it; see docs/push-targets.md.",
  request: params,
  responses: { 200: jsonResponse(TargetSecretSchema, "The signing secret") },
});

const rotate = route("admin", {
  method: "post",
  path: "/v1/queues/{queue}/target/secret",
  operationId: "rotateTargetSecret",
  tags: ["Queues"],
  summary: "Rotate the signing secret",
  description: "Deliveries are signed with the new secret at once, and with the previous one too for 24 h, so a receiver can switch over without refusing any.",
  request: params,
  responses: { 200: jsonResponse(TargetSecretSchema, "The new signing secret") },
});

export function registerPushTargetRoutes(app: App, { store, clock }: ApiDeps): void {
  app.openapi(get, async (c) => {
    const { queue } = c.req.valid("param");
    checkQueueName(queue);
    return c.json(render(await store.targetSecretEnsure({ queue, secret: newTargetSecret(), now: clock.now() })), 200);
  });
  app.openapi(rotate, async (c) => {
    const { queue } = c.req.valid("param");
    checkQueueName(queue);
    return c.json(render(await store.targetSecretRotate({ queue, secret: newTargetSecret(), now: clock.now() })), 200);
  });
}
