// The checkpoint thread (checkpoints.ts): on a connection of its own, copies the WAL back into
// the database every `everyMs` and reports how long each checkpoint took and how long the WAL
// is, until told to stop.
// Plain JavaScript, loaded from its text (checkpoints.ts), so source and executable run it alike.
import { Database } from "bun:sqlite";

/** Checkpoint passes at most per tick, and a pass this quick (ms) ends them. */
const MAX_PASSES = 4;
const SETTLED_MS = 2;

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
    const checkpoint = db.query("PRAGMA wal_checkpoint(PASSIVE)");
    timer = setInterval(() => {
      const started = performance.now();
      let frames = 0;
      // Again at once while a pass was slow: the store's writes went on meanwhile, and the
      // fewer frames are left uncopied, the less the main thread's own checkpoint has to do.
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const passStarted = performance.now();
        try {
          frames = /** @type {{ log: number }} */ (checkpoint.get()).log;
        } catch {
          // Busy or failing storage: the next tick tries again, and writes report their own errors.
          break;
        }
        if (performance.now() - passStarted < SETTLED_MS) break;
      }
      self.postMessage({ type: "checkpointed", ms: performance.now() - started, frames });
    }, data.everyMs);
    return;
  }
  clearInterval(timer);
  db?.close();
  db = null;
  self.postMessage({ type: "stopped" });
};
