/**
 * What a job costs SQLite: the pages each kind of transaction writes to the WAL, by the table or
 * index they belong to. `bun bench/wal-pages.ts` — a count, not a timing, so it reads the same
 * on any machine. Checkpoints are held off while a scenario runs; each scenario's frames are
 * read from the WAL (a frame is a 24-byte header, page number first, then the page; a commit
 * frame names the database's size) and their pages attributed through the dbstat table.
 */
import fs from "node:fs";
import { systemClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import type { CompleteItem } from "../src/core/store.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { cleanup, onCleanup, tempDir } from "./resources.ts";
import { enqueueBatches } from "./spool-core.ts";

const TRANSACTIONS = 200;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

type Frames = { pages: number[]; commits: number };

/** The frames written to `wal` from byte `from` on. */
function framesFrom(wal: string, from: number): Frames {
  const bytes = fs.readFileSync(wal);
  const pageSize = bytes.readUInt32BE(8);
  const frames: Frames = { pages: [], commits: 0 };
  for (let at = Math.max(from, WAL_HEADER); at + FRAME_HEADER + pageSize <= bytes.length; at += FRAME_HEADER + pageSize) {
    frames.pages.push(bytes.readUInt32BE(at));
    if (bytes.readUInt32BE(at + 4) !== 0) frames.commits++;
  }
  return frames;
}

async function measure(label: string, store: SqliteStore, run: () => Promise<void>): Promise<string> {
  const wal = `${store.db.filename}-wal`;
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  await run();
  const { pages, commits } = framesFrom(wal, 0);
  const owner = new Map((store.db.query("SELECT name, pageno FROM dbstat").all() as { name: string; pageno: number }[]).map((r) => [r.pageno, r.name]));
  const byTable = new Map<string, number>();
  for (const page of pages) {
    const name = owner.get(page) ?? "(free)";
    byTable.set(name, (byTable.get(name) ?? 0) + 1);
  }
  const of = [...byTable].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${(n / commits).toFixed(1)}`).join(", ");
  return `${label.padEnd(52)} ${(pages.length / commits).toFixed(1).padStart(5)} pages (${commits} transactions): ${of}`;
}

async function main(): Promise<void> {
  const store = new SqliteStore({ path: `${tempDir()}/spool.db` });
  onCleanup(() => store.close());
  // Checkpoints would empty the WAL under the count.
  await (store as unknown as { checkpoints: { stop(): Promise<void> } }).checkpoints.stop();
  const svc = new QueueService({ store, clock: systemClock });
  /** Completes the jobs held and claims `max` more, one transaction per round, as a worker finishing in its claim. */
  const rounds = async (queue: string, max: number) => {
    let held: CompleteItem[] = (await svc.claim({ queue, workerId: "w", max })).map((j) => ({ id: j.id, token: j.leaseToken! }));
    return async () => {
      for (let i = 0; i < TRANSACTIONS; i++) {
        const jobs = await svc.completeThenClaim(held, { queue, workerId: "w", max }, () => {});
        held = jobs.map((j) => ({ id: j.id, token: j.leaseToken! }));
      }
    };
  };
  // A store that has run for a while: jobs finished before these, rows to claim after them.
  await enqueueBatches(svc, "warm", 5000);
  await (await rounds("warm", 10))();
  const lines = [
    await measure("enqueue one job", store, async () => {
      for (let i = 0; i < TRANSACTIONS; i++) await svc.enqueue("single", { payload: { n: i } });
    }),
  ];
  await enqueueBatches(svc, "c1", TRANSACTIONS + 1000);
  lines.push(await measure("complete one job and claim the next (concurrency 1)", store, await rounds("c1", 1)));
  await enqueueBatches(svc, "c10", 10 * TRANSACTIONS + 1000);
  lines.push(await measure("complete ten and claim ten (concurrency 10)", store, await rounds("c10", 10)));
  console.log(lines.join("\n"));
}

try {
  await main();
} finally {
  await cleanup();
}
