/**
 * Checkpoints: the WAL is copied back into the database once a second, on a timer rather than
 * after every 1000 pages (an automatic checkpoint would run inside a request's write).
 *
 * A checkpoint syncs the WAL and then the database file, and under load the WAL's sync writes
 * out every page written since the last one: at 10 000 enqueues a second, about 250 MB, for
 * which it holds the thread that runs it up to a few hundred ms (a fifth to a quarter of the
 * time, measured). So once a checkpoint takes `slowMs` or more, checkpoints move to a thread of
 * their own (checkpoint-thread.js, its own connection), which the event loop never waits for.
 * When they have stayed quick (under `quickMs`) for `quietMs`, the thread stops, since it holds
 * about 6 MB, and checkpoints run here again. If the thread cannot start, they stay here.
 * While the thread checkpoints, this thread finishes each of its checkpoints that leaves a long
 * WAL (checkpointHere), so the WAL starts over instead of growing as long as the load lasts.
 */
import type { Database } from "bun:sqlite";
import threadSource from "./checkpoint-thread.js" with { type: "text" };

/** What the thread is told, and what it tells (checkpoint-thread.js). */
type ToThread = { type: "start"; path: string; everyMs: number; synchronous: "NORMAL" | "FULL" } | { type: "stop" };
type FromThread = { type: "checkpointed"; ms: number; frames: number } | { type: "stopped" };

export type CheckpointOptions = {
  everyMs?: number;
  /** A checkpoint this long moves checkpoints to their thread (default 25 ms). */
  slowMs?: number;
  /** The thread's checkpoints count as quick under this (default slowMs)… */
  quickMs?: number;
  /** …and quick ones for this long bring checkpoints back (default 30 s). */
  quietMs?: number;
  /** A WAL this many frames long after the thread's checkpoint is finished here, so it starts over (default 16384: 64 MB). */
  restartFrames?: number;
  synchronous?: "NORMAL" | "FULL";
};

/** How long a stopping thread may take to close its connection before it is ended. */
const STOP_WAIT_MS = 2000;

/** The thread's script, from its text: the same in the executable as from source. */
let threadUrl: string | null = null;
const threadScript = () => (threadUrl ??= URL.createObjectURL(new Blob([threadSource], { type: "application/javascript" })));

export class Checkpoints {
  private readonly everyMs: number;
  private readonly slowMs: number;
  private readonly quickMs: number;
  private readonly quietMs: number;
  private readonly restartFrames: number;
  private readonly synchronous: "NORMAL" | "FULL";
  private timer: ReturnType<typeof setInterval> | undefined;
  private thread: Worker | null = null;
  /** Set when the thread failed: checkpoints stay on this thread from then on. */
  private threadFailed = false;
  /** Since when (performance.now()) the thread's checkpoints have all been quick. */
  private quickSince: number | null = null;
  private stopping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    options: CheckpointOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 1000;
    this.slowMs = options.slowMs ?? 25;
    this.quickMs = options.quickMs ?? this.slowMs;
    this.quietMs = options.quietMs ?? 30_000;
    this.restartFrames = options.restartFrames ?? 16_384;
    this.synchronous = options.synchronous ?? "NORMAL";
    this.runHere();
  }

  /** Whether checkpoints run on their thread now. */
  get onThread(): boolean {
    return this.thread !== null;
  }

  /** Stops checkpointing; resolves once the thread, if any, has closed its connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.stopThread();
  }

  private runHere(): void {
    this.timer = setInterval(() => {
      const started = performance.now();
      this.checkpointHere("PASSIVE");
      if (performance.now() - started >= this.slowMs) this.moveToThread();
    }, this.everyMs);
    this.timer.unref?.();
  }

  private moveToThread(): void {
    if (this.threadFailed || this.thread || this.stopping || this.stopped) return;
    let thread: Worker;
    try {
      thread = new Worker(threadScript());
    } catch (err) {
      this.threadFailed = true;
      console.error(`spool: checkpoints stay on the main thread: ${(err as Error).message}`);
      return;
    }
    clearInterval(this.timer);
    this.timer = undefined;
    this.thread = thread;
    this.quickSince = null;
    // Bun's Worker can be unref'd (its types are the browser's): the thread never keeps the process up.
    (thread as Worker & { unref(): void }).unref();
    thread.onerror = (event) => {
      this.threadFailed = true;
      console.error(`spool: checkpoints back on the main thread: ${event.message}`);
      void this.backHere();
    };
    thread.onmessage = ({ data }: MessageEvent<FromThread>) => {
      if (data.type !== "checkpointed") return;
      if (data.frames >= this.restartFrames) this.checkpointHere("PASSIVE");
      if (data.ms >= this.quickMs) this.quickSince = null;
      else if ((this.quickSince ??= performance.now()) <= performance.now() - this.quietMs) void this.backHere();
    };
    const start: ToThread = { type: "start", path: this.db.filename, everyMs: this.everyMs, synchronous: this.synchronous };
    thread.postMessage(start);
  }

  /**
   * A checkpoint on this thread, between two transactions. After one of the thread's, it copies
   * what that one left (the writes made while it ran): the WAL starts over from its beginning
   * only when a write begins with every frame copied, which never happens while the store
   * writes during each of the thread's checkpoints. Under steady load the WAL grew by every
   * page written (2 GB after 80 000 jobs at concurrency 1) and each write appended to the file
   * instead of overwriting it (a job at concurrency 1 cost about a sixth more CPU).
   */
  private checkpointHere(mode: "PASSIVE" | "TRUNCATE"): void {
    try {
      this.db.exec(`PRAGMA wal_checkpoint(${mode})`);
    } catch {
      // Busy or failing storage: the next checkpoint tries again, and writes report their own errors.
    }
  }

  /**
   * Ends the thread and checkpoints here again (unless stopping). The WAL is cut back to
   * nothing once, since it stays as long as the load made it and is only overwritten after.
   */
  private async backHere(): Promise<void> {
    await this.stopThread();
    if (this.stopped || this.timer || this.thread) return;
    this.checkpointHere("TRUNCATE");
    this.runHere();
  }

  private stopThread(): Promise<void> {
    const thread = this.thread;
    if (!thread) return this.stopping ?? Promise.resolve();
    this.thread = null;
    this.stopping = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        thread.terminate();
        resolve();
      };
      const timeout = setTimeout(done, STOP_WAIT_MS);
      thread.onmessage = ({ data }: MessageEvent<FromThread>) => {
        if (data.type === "stopped") done();
      };
      thread.onerror = done;
      const stop: ToThread = { type: "stop" };
      thread.postMessage(stop);
    }).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }
}
