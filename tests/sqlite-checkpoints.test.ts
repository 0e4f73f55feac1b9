/** Checkpoints on the main thread, moved to their own thread when slow and back when quick, on a real database. */
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import { Checkpoints, type CheckpointOptions } from "../src/store/sqlite/checkpoints.ts";
import { tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** A WAL database with a table, checkpointed only by the caller (no automatic checkpoints). */
function walDatabase(): Database {
  const dir = tempDir("spool-checkpoints-");
  folders.push(dir);
  const db = new Database(`${dir}/spool.db`, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA wal_autocheckpoint = 0");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  return db;
}

function write(db: Database, rows: number): void {
  const insert = db.query("INSERT INTO rows (body) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run("x".repeat(500));
  })();
}

/** Pages of the database file itself, which only a checkpoint writes to. */
const filePages = (db: Database) => fs.statSync(db.filename).size / 4096;
const threads = () => fs.readdirSync("/proc/self/task").map((t) => fs.readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim());

test("a slow checkpoint moves checkpoints to their own thread, which keeps copying the WAL into the database until stopped", async () => {
  const db = walDatabase();
  const checkpoints = new Checkpoints(db, { everyMs: 20, slowMs: 0 });
  try {
    expect(checkpoints.onThread).toBe(false);
    write(db, 100);
    await waitFor(() => checkpoints.onThread, 5000, "checkpoints on their thread");
    const before = filePages(db);
    write(db, 2000);
    await waitFor(() => filePages(db) > before + 100, 5000, "the thread's checkpoint");
    expect(threads()).toContain("Worker");
  } finally {
    await checkpoints.stop();
  }
  expect(checkpoints.onThread).toBe(false);
  const after = filePages(db);
  write(db, 2000);
  await Bun.sleep(200);
  expect(filePages(db)).toBe(after);
  db.close();
});

/** Runs `body` once checkpoints with `options` on a fresh WAL database run on their thread; stops them and closes the database after. */
async function onTheirThread(options: CheckpointOptions, body: (db: Database, checkpoints: Checkpoints) => Promise<void>): Promise<void> {
  const db = walDatabase();
  const checkpoints = new Checkpoints(db, options);
  try {
    await waitFor(() => checkpoints.onThread, 5000, "checkpoints on their thread");
    await body(db, checkpoints);
  } finally {
    await checkpoints.stop();
  }
  db.close();
}

test("checkpoints quick for quietMs on their thread come back to the main thread, which checkpoints again", () =>
  onTheirThread({ everyMs: 20, slowMs: 0, quickMs: Infinity, quietMs: 100 }, async (db, checkpoints) => {
    await waitFor(() => !checkpoints.onThread, 5000, "checkpoints back on the main thread");
    const before = filePages(db);
    write(db, 2000);
    // Back here, the first checkpoint (slowMs 0) sends them to the thread again; either way the WAL is copied.
    await waitFor(() => filePages(db) > before + 100, 5000, "a checkpoint after coming back");
  }));

const walBytes = (db: Database) => fs.statSync(`${db.filename}-wal`).size;

test("while the thread checkpoints under steady writes, the WAL starts over instead of growing with every page written", () =>
  onTheirThread({ everyMs: 20, slowMs: 0, restartFrames: 50 }, async (db, checkpoints) => {
    // Writes never pause for more than a turn of the event loop, so every checkpoint of the
    // thread's overlaps some: only the main thread's finishing checkpoint lets the WAL restart.
    let rows = 0;
    const started = performance.now();
    while (performance.now() - started < 1000) {
      write(db, 8);
      rows += 8;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(checkpoints.onThread).toBe(true);
    // The rows alone took rows × 500 bytes of pages; a WAL that never restarted holds them all.
    expect(walBytes(db)).toBeLessThan((rows * 500) / 4);
  }));

test("coming back from the thread, checkpoints cut the WAL the load left back to nothing", () =>
  onTheirThread({ everyMs: 20, slowMs: 0, quickMs: Infinity, quietMs: 300 }, async (db, checkpoints) => {
    write(db, 4000);
    expect(walBytes(db)).toBeGreaterThan(1_000_000);
    await waitFor(() => !checkpoints.onThread, 5000, "checkpoints back on the main thread");
    // The WAL is cut once the thread has stopped, a moment after it was let go.
    await waitFor(() => walBytes(db) === 0, 5000, "the WAL cut back to nothing");
    expect((db.query("SELECT count(*) AS n FROM rows").get() as { n: number }).n).toBe(4000);
  }));
