/** One `spool serve` per data folder: an exclusive SQLite lock that the OS drops if the process dies. */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CannotStart } from "../../core/errors.ts";

export class DataFolderInUse extends CannotStart {}

export type DataLock = { release(): void };

export function lockDataFolder(dir: string): DataLock {
  const pidFile = join(dir, "spool.pid");
  const db = new Database(join(dir, "spool.lock"), { create: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch {
    db.close();
    const pid = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "unknown";
    throw new DataFolderInUse(
      `another spool serve (pid ${pid}) is already using the data folder ${dir}; stop it first or pass a different --data folder`,
    );
  }
  writeFileSync(pidFile, String(process.pid));
  return {
    release() {
      try {
        db.exec("ROLLBACK");
      } finally {
        db.close();
      }
    },
  };
}
