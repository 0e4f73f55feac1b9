/**
 * What a long-running command (serve, work) holds while it has nothing to do.
 *
 * The executable starts with JIT tier-up held back (`--compile-jit-policy` in scripts/build.ts):
 * start-up code runs once, and an idle server's few timers run a handful of times a minute, so
 * both stay in the interpreter instead of paging in the optimising compiler and filling memory
 * with machine code (≈ 5 MB of an idle server, measured after a minute). Work is what the JIT
 * is for: the first second the process keeps the CPU busy (requests, jobs) puts the normal
 * policy back for good.
 *
 * Start-up, and later the built-in schedules' runs, leave garbage behind that the collector
 * would only reclaim once allocation picks up again; a full collection early in each quiet
 * stretch, and every 15 s while it lasts, returns it (≈ 1.5–3 MB of an idle server, for a few
 * ms of CPU each time).
 */

/** CPU time in one second above which the process counts as busy; an idle server uses ≈ 5 ms. */
const BUSY_CPU_MS = 100;
/** Garbage is collected this many seconds into a quiet stretch (after start, after work)… */
const SETTLE_SECONDS = 2;
/** …and again every this many seconds while it lasts. */
const QUIET_SECONDS = 15;

export function keepIdleMemoryLow(): void {
  let last = process.cpuUsage();
  let jitHeld = true;
  let quiet = 0;
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    if ((used.user + used.system) / 1000 >= BUSY_CPU_MS) {
      quiet = 0;
      if (jitHeld) Bun.unsafe.setJITPolicy(1);
      jitHeld = false;
      return;
    }
    quiet++;
    if (quiet !== SETTLE_SECONDS && quiet % QUIET_SECONDS !== 0) return;
    Bun.gc(true);
    // Frees what the collection left unused: code of functions run once, empty heap blocks.
    Bun.shrink();
  }, 1000);
  timer.unref();
}
