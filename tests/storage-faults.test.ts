/** `spool serve` on a database it cannot use: one clear line naming the file, exit 2, no crash after start. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { isStackTrace } from "./helpers/cli.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
let dir: string;

beforeEach(() => {
  dir = tempDir("spool-faults-");
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `spool serve` on the data folder; root runs it as `nobody`, for whom file modes hold. */
async function serve(data: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const asNobody = process.getuid?.() === 0 ? ["runuser", "-u", "nobody", "--"] : [];
  const proc = Bun.spawn([...asNobody, process.execPath, MAIN, "serve", "--port", "0", "--data", data], {
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))),
  });
  // A server that starts would run until killed: give it a bounded time to fail.
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function refusedNaming(run: { code: number; stderr: string }, file: string, reason: RegExp) {
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toContain(file);
  expect(run.stderr).toMatch(reason);
  expect(isStackTrace(run.stderr)).toBe(false);
}

/** A data folder anyone may write, holding a spool database made by this process. */
function dataFolderWithDatabase(): { data: string; db: string } {
  const data = join(dir, "data");
  mkdirSync(data);
  chmodSync(data, 0o777);
  const db = join(data, "spool.db");
  new Database(db, { create: true }).close();
  return { data, db };
}

test("a database file that cannot be written: refused at start, naming the file", async () => {
  const { data, db } = dataFolderWithDatabase();
  chmodSync(db, 0o444);
  refusedNaming(await serve(data), db, /readonly.*permissions/);
});

test("a file that is not a database: refused at start, naming the file", async () => {
  const { data, db } = dataFolderWithDatabase();
  writeFileSync(db, "this is not sqlite ".repeat(400));
  chmodSync(db, 0o666);
  refusedNaming(await serve(data), db, /not a database/);
});

test("a database from a newer spool: refused at start, naming the file", async () => {
  const { data, db } = dataFolderWithDatabase();
  const handle = new Database(db);
  handle.exec("PRAGMA user_version = 999");
  handle.close();
  chmodSync(db, 0o666);
  refusedNaming(await serve(data), db, /newer spool \(schema 999/);
});
