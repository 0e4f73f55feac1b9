/**
 * A full disk under a real server: writes answer 503 with Retry-After and store nothing, reads
 * and /healthz still answer, /readyz says not ready, and everything recovers without a restart
 * once space is back. Needs root to mount a small tmpfs; elsewhere it says why it does not run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  if (process.env.CI === "true") throw new Error("the disk-full test mounts a tmpfs and needs root in CI");
  console.log("skipping the disk-full test: mounting a tmpfs needs root");
}

describe.skipIf(!isRoot)("disk full", () => {
  let mountPoint: string;
  let server: TestServer;

  beforeAll(async () => {
    mountPoint = tempDir("spool-tmpfs-");
    const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
    if (mount.exitCode !== 0) throw new Error(`mount failed: ${mount.stderr.toString()}`);
    mkdirSync(join(mountPoint, "data"));
    server = await startTestServer({ dataDir: join(mountPoint, "data") });
  });

  afterAll(async () => {
    await server?.stop();
    Bun.spawnSync(["umount", "-l", mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  test("writes are refused with 503 and Retry-After, reads answer, readiness tells the truth, and it recovers", async () => {
    const kept = await server.call("POST", "/v1/queues/disk/jobs", { payload: "before" });
    expect(kept.status).toBe(201);
    // Fill what is left of the volume, leaving the database as it is.
    const filler = join(mountPoint, "filler");
    for (let size = 4 * 1024 * 1024; size >= 1024; size = Math.floor(size / 2)) {
      try {
        writeFileSync(`${filler}-${size}`, Buffer.alloc(size, 1));
      } catch {
        // No room for one this big: try half.
      }
    }
    // Large writes fail first; keep writing ever smaller jobs until even the smallest cannot be stored.
    let refused = null;
    for (const size of [20_000, 2000, 1]) {
      refused = null;
      for (let i = 0; i < 2000 && !refused; i++) {
        const res = await server.call("POST", "/v1/queues/disk/jobs", { payload: "x".repeat(size) });
        if (res.status !== 201) refused = res;
      }
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body.error.code).toBe("storage_unavailable");
    expect(refused?.headers.get("retry-after")).toBe("5");

    expect((await server.call("GET", "/healthz")).status).toBe(200);
    expect((await server.call("GET", `/v1/jobs/${kept.body.id}`)).body.payload).toBe("before");
    expect((await server.call("GET", "/readyz")).status).toBe(503);
    expect((await server.call("GET", "/v1/health")).body.status).toBe("unhealthy");

    rmSync(filler + "-" + 4 * 1024 * 1024, { force: true });
    for (let size = 4 * 1024 * 1024; size >= 1024; size = Math.floor(size / 2)) rmSync(`${filler}-${size}`, { force: true });
    expect((await server.call("GET", "/readyz")).status).toBe(200);
    expect((await server.call("POST", "/v1/queues/disk/jobs", { payload: "after" })).status).toBe(201);
  });
});
