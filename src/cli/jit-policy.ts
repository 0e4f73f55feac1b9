/**
 * The executable starts with JIT tier-up held back (`--compile-jit-policy` in scripts/build.ts):
 * start-up code runs once, and an idle server's few timers run a handful of times a minute, so
 * both stay in the interpreter instead of paging in the optimising compiler and filling memory
 * with machine code (≈ 5 MB of an idle server, measured after a minute). Work is what the JIT
 * is for: the first second a long-running command keeps the CPU busy (requests, jobs) puts the
 * normal policy back for good.
 */

/** CPU time in one second above which the process counts as busy; an idle server uses ≈ 5 ms. */
const BUSY_CPU_MS = 100;

export function releaseJitWhenBusy(): void {
  let last = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    if ((used.user + used.system) / 1000 < BUSY_CPU_MS) return;
    Bun.unsafe.setJITPolicy(1);
    clearInterval(timer);
  }, 1000);
  timer.unref();
}
