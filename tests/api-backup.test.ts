/** POST /v1/admin/backup and `spool backup`: a consistent copy of the live database, downloaded. */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bearer, tokenFor } from "./helpers/api.ts";
import { runCli } from "./helpers/cli.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let scratch: string | null = null;
afterEach(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
});

/** Opens a downloaded copy read-only and checks it is a whole database. */
function openCopy(path: string): Database {
  const db = new Database(path, { readonly: true });
  expect((db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check).toBe("ok");
  return db;
}

describe("online backup", () => {
  test("the download is a whole SQLite database with every acknowledged job, taken while writes go on", async () => {
    server = await startTestServer();
    scratch = tempDir();
    const acknowledged = await server.service.enqueueMany("mail", Array.from({ length: 500 }, (_, i) => ({ payload: { i } })));
    // Writes racing the backup must neither fail nor be torn in the copy.
    const racing = server.service.enqueueMany("mail", Array.from({ length: 500 }, (_, i) => ({ payload: { i: 500 + i } })));

    const res = await fetch(`${server.url}/v1/admin/backup`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.sqlite3");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="spool-.+\.db"$/);
    const file = join(scratch, "copy.db");
    writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
    await racing;

    const copy = openCopy(file);
    const rows = copy.query("SELECT id, payload FROM jobs WHERE queue = 'mail' ORDER BY id").all() as { id: number; payload: string }[];
    expect(rows.length === 500 || rows.length === 1000).toBe(true);
    expect(rows.slice(0, 500).map((r) => String(r.id))).toEqual(acknowledged.map((o) => o.job.id));
    const counts = copy.query("SELECT n FROM queue_counts WHERE queue = 'mail' AND state = 'waiting'").get() as { n: number };
    expect(counts.n).toBe(rows.length);
    copy.close();
    // The staged copy is gone from the data folder once downloaded.
    expect(readdirSync(server.dataDir).filter((f) => f.startsWith(".backup-"))).toEqual([]);
  });

  test("a copy opens as the data folder of another server, with its jobs ready to claim", async () => {
    server = await startTestServer();
    await server.service.enqueue("reports", { payload: { day: "2026-11-23" } });
    const res = await fetch(`${server.url}/v1/admin/backup`, { method: "POST" });
    const restored = tempDir();
    writeFileSync(join(restored, "spool.db"), new Uint8Array(await res.arrayBuffer()));
    await server.close();

    server = await startTestServer({ dataDir: restored });
    const claimed = await server.call("POST", "/v1/queues/reports/claim", { workerId: "w" });
    expect(claimed.status).toBe(200);
    expect(claimed.body.jobs.map((j: any) => j.payload)).toEqual([{ day: "2026-11-23" }]);
  });

  test("only an admin may take a backup", async () => {
    server = await startTestServer({ adminToken: "backup-admin-secret-0123456789" });
    for (const role of ["viewer", "producer", "worker"] as const) {
      const res = await server.call("POST", "/v1/admin/backup", undefined, bearer(await tokenFor(server, role)));
      expect({ role, status: res.status, code: res.body?.error?.code }).toEqual({ role, status: 403, code: "forbidden" });
    }
    expect((await server.call("POST", "/v1/admin/backup")).status).toBe(401);
  });

  test("spool backup writes the copy to a file, and refuses to overwrite one", async () => {
    server = await startTestServer();
    scratch = tempDir();
    await server.service.enqueue("mail", { payload: { to: "a@example.com" } });
    const file = join(scratch, "nightly.db");
    const env = { SPOOL_URL: server.url };

    const run = await runCli(["backup", file, "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.file).toBe(file);
    expect(out.bytes).toBeGreaterThan(0);
    // It holds every payload: readable by its owner only, whatever the umask.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const copy = openCopy(file);
    expect(copy.query("SELECT count(*) AS n FROM jobs").get()).toEqual({ n: 1 });
    copy.close();

    const again = await runCli(["backup", file], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists");

    const defaultName = await runCli(["backup"], { env, cwd: scratch });
    expect(defaultName.code).toBe(0);
    expect(defaultName.stdout).toMatch(/^wrote \d+ bytes to spool-backup-.+\.db\n$/);
    expect(readdirSync(scratch).filter((f) => f.startsWith("spool-backup-"))).toHaveLength(1);
    expect(existsSync(file)).toBe(true);
  });
});
