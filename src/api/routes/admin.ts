/** Administration: an online backup of the store, downloaded. */
import { open, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "@hono/zod-openapi";
import { conflict } from "../../core/errors.ts";
import { canBackup } from "../../core/store.ts";
import type { App, ApiDeps } from "../env.ts";
import { jsonResponse, route } from "../route.ts";
import { ErrorBody } from "../schemas/common.ts";

const CHUNK_BYTES = 1 << 20;

const backup = route("admin", {
  method: "post",
  path: "/v1/admin/backup",
  operationId: "backupDatabase",
  tags: ["Server"],
  summary: "A consistent online copy of the SQLite database, downloaded",
  description:
    "Writes one snapshot of the database (compacted, with every committed change up to that moment) while the server keeps " +
    "serving, and streams it as the response body: a file `sqlite3` and `spool serve --data` open as they are. The copy is " +
    "staged in the data folder and removed as soon as the download starts, so that folder needs free space for one copy.",
  responses: {
    200: {
      description: "The database file",
      content: { "application/vnd.sqlite3": { schema: z.string().openapi({ type: "string", format: "binary" }) } },
    },
    409: jsonResponse(ErrorBody, "The store has no backup here (Redis keeps its own persistence)"),
  },
});

/** Streams the file at `path` and removes its name at once: the open handle keeps the data until the stream ends. */
async function takeFile(path: string): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, "r");
  await unlink(path);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        await handle.close();
        controller.close();
      } else {
        controller.enqueue(buffer.subarray(0, bytesRead));
      }
    },
    async cancel() {
      await handle.close();
    },
  });
}

export function registerAdminRoutes(app: App, { store, clock, server }: ApiDeps): void {
  app.openapi(backup, async (c) => {
    // Only the Redis store has none: Redis persists (and is backed up) on its own.
    if (!canBackup(store)) throw conflict("the queue lives in Redis, which spool does not copy: back it up with Redis's own persistence (RDB snapshots such as BGSAVE, or the append-only file)");
    const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, "-");
    const staged = join(server.dataDir ?? tmpdir(), `.backup-${stamp}-${crypto.randomUUID().slice(0, 8)}.db`);
    try {
      await store.backupTo({ path: staged });
    } catch (err) {
      await unlink(staged).catch(() => {});
      throw err;
    }
    return new Response(await takeFile(staged), {
      headers: {
        "content-type": "application/vnd.sqlite3",
        "content-disposition": `attachment; filename="spool-${stamp}.db"`,
        "cache-control": "no-store",
      },
    }) as never;
  });
}
