/** @jsxImportSource hono/jsx */
/** A queue's marks and its pause switch: spool's own queues, paused or running, and the button that flips it. */
import { isOwnQueue } from "../../src/core/job.ts";
import { Action } from "./action.tsx";
import { Badge } from "./badges.tsx";

/** Queues whose names start with spool: are spool's own (maintenance); only admins may use them. */
export { isOwnQueue };
export { isOwnWorker } from "../../src/workers/worker-registry.ts";

export const queuePath = (name: string) => `/queues/${encodeURIComponent(name)}`;

export function OwnQueueBadge({ name }: { name: string }) {
  return isOwnQueue(name) ? <Badge tone="info" icon="lock">spool's own</Badge> : null;
}

/** Pause when running, resume when paused; admins only. spool's own queues are not paused (their jobs run the health checks). */
export function QueuePauseAction({ name, paused }: { name: string; paused: boolean }) {
  if (!paused && isOwnQueue(name)) return null;
  return paused
    ? <Action to={`${queuePath(name)}/resume`} label={`Resume`} title={`Resume ${name}: workers may claim its jobs again`} />
    : <Action to={`${queuePath(name)}/pause`} label={`Pause`} title={`Pause ${name}: claims return nothing until resumed`} />;
}
