/** Error group schemas: failures by queue and error type over a window, as GET /v1/errors shows them. */
import { z } from "@hono/zod-openapi";
import { Timestamp } from "./common.ts";

export const ErrorGroupSchema = z
  .object({
    queue: z.string(),
    type: z.string().openapi({ description: "The error type workers report (`error.type`), or spool's own: `timeout`, `lease_expired`" }),
    count: z.number().int().openapi({ description: "Failed attempts in the window, retried or final" }),
    firstSeen: Timestamp.openapi({ description: "Start of the first minute in the window with such a failure" }),
    lastSeen: Timestamp.openapi({ description: "Start of the last minute in the window with such a failure" }),
    sample: z
      .object({ jobId: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: "The newest such failure still in the event log, with its job's message; null once the job or the event is gone" }),
    series: z
      .array(z.object({ at: Timestamp, n: z.number().int() }))
      .openapi({ description: "Failed attempts per step of `stepMs` from `since`, oldest first, empty steps included" }),
  })
  .openapi("ErrorGroup");

export const ErrorGroupsSchema = z
  .object({
    since: Timestamp.openapi({ description: "Start of the first minute counted" }),
    until: Timestamp,
    stepMs: z.number().int().openapi({ description: "Width of each series point, a whole number of minutes" }),
    groups: z.array(ErrorGroupSchema).openapi({ description: "Most failures first" }),
  })
  .openapi("ErrorGroups");
