/**
 * One `spool serve` per data folder: an exclusive SQLite lock on spool.lock that the OS drops
 * if the process dies, and spool.pid naming the holder. The pid file is a second line of
 * defence: a lock file deleted under a running server does not let a second one start. The
 * third is a flock on spool.db itself (file-lock.ts), which no deleted file can undo.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CannotStart } from "../../core/errors.ts";
import { holdFileLock } from "./file-lock.ts";

export class DataFolderInUse extends CannotStart {}

export type DataLock = { release(): void };

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function recordedPid(pidFile: string): number | null {
  const text = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : "";
  return /^\d+$/.test(text) ? Number(text) : null;
}

export function lockDataFolder(dir: string): DataLock {
  const pidFile = join(dir, "spool.pid");
  const lockFile = join(dir, "spool.lock");
  const holder = recordedPid(pidFile);
  const refuse = (detail: string) =>
    new DataFolderInUse(`another spool serve ${detail} is using the data folder ${dir}; stop it first or pass a different --data folder`);
  const db = new Database(lockFile, { create: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch {
    db.close();
    throw refuse(
      holder === null ? "(no pid recorded)" : isRunning(holder) ? `(pid ${holder})` : `(its pid file names ${holder}, which has exited; another process holds ${lockFile})`,
    );
  }
  if (holder !== null && holder !== process.pid && isRunning(holder) && isSpool(holder)) {
    db.exec("ROLLBACK");
    db.close();
    throw refuse(`(pid ${holder}, whose ${lockFile} was deleted)`);
  }
  const database = holdFileLock(join(dir, "spool.db"));
  if (database.state === "taken") {
    db.exec("ROLLBACK");
    db.close();
    throw refuse(`(whose ${lockFile} and spool.pid were deleted; it holds spool.db)`);
  }
  writeFileSync(pidFile, String(process.pid));
  return {
    release() {
      try {
        db.exec("ROLLBACK");
      } finally {
        if (database.state === "held") database.release();
        db.close();
        // A clean exit leaves nothing behind; the files of a newer holder are not ours to remove.
        if (recordedPid(pidFile) === process.pid) {
          rmSync(pidFile, { force: true });
          rmSync(lockFile, { force: true });
        }
      }
    },
  };
}

/** Whether a live pid is a spool server (a recycled pid belonging to something else is not). */
function isSpool(pid: number): boolean {
  try {
    return /spool|main\.ts/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    // No /proc (not Linux): trust the pid file.
    return true;
  }
}
