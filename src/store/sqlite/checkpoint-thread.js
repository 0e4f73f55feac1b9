// The checkpoint thread (checkpoints.ts): on a connection of its own, copies the WAL back into
// the database every `everyMs` and reports how long each checkpoint took, until told to stop.
// Plain JavaScript, loaded from its text (checkpoints.ts), so source and executable run it alike.
import { Database } from "bun:sqlite";

/** @type {Database | null} */
let db = null;
/** @type {ReturnType<typeof setInterval> | undefined} */
let timer;

self.onmessage = ({ data }) => {
  if (data.type === "start") {
    db = new Database(data.path);
    db.exec("PRAGMA busy_timeout = 0");
    // A checkpoint syncs as the connection's setting says: the same as the store's own.
    db.exec(`PRAGMA synchronous = ${data.synchronous}`);
    timer = setInterval(() => {
      const started = performance.now();
      try {
        db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      } catch {
        // Busy or failing storage: the next tick tries again, and writes report their own errors.
      }
      self.postMessage({ type: "checkpointed", ms: performance.now() - started });
    }, data.everyMs);
    return;
  }
  clearInterval(timer);
  db?.close();
  db = null;
  self.postMessage({ type: "stopped" });
};
