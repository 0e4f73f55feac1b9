/** CPU time of other processes (a server, redis-server), read from /proc: what each used during a timed window. */
import fs from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;

/** User + system CPU time the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** Starts counting the CPU time of `pids`; the returned function gives each one's ms since. */
export function cpuMeter(pids: number[]): () => number[] {
  const start = pids.map(cpuMs);
  return () => pids.map((pid, i) => cpuMs(pid) - start[i]!);
}

/**
 * Waits until `pids` are quiet — together under `busyPercent` of one core over a `windowMs`
 * window — so the work a scenario left behind (folding its events, pruning) is not counted
 * in the next; gives up after `maxMs` and says whether they went quiet.
 */
export function waitForQuiet(pids: number[], busyPercent = 5, windowMs = 250, maxMs = 15_000): Promise<boolean> {
  return quietWithin(windowMs, maxMs, () => {
    const used = cpuMeter(pids);
    return () => used().reduce((a, b) => a + b, 0) <= (windowMs * busyPercent) / 100;
  });
}

/**
 * Watches windows of `windowMs` until one is quiet or `maxMs` passed; `watch` starts a window
 * and answers the function that tells, at its end, whether it was quiet.
 */
async function quietWithin(windowMs: number, maxMs: number, watch: () => () => boolean): Promise<boolean> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const wasQuiet = watch();
    await Bun.sleep(windowMs);
    if (wasQuiet()) return true;
  }
  return false;
}

/** Busy and total CPU time of the whole machine so far (all cores), in /proc/stat's ticks. */
function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3]! + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Waits until the whole machine is quiet — under `busyPercent` of all its cores over a
 * `windowMs` window — so a suite does not start while the last one's leftovers (a store's
 * files being deleted, a redis-server rewriting its AOF) still take CPU; gives up after
 * `maxMs` and says whether it went quiet.
 */
export function waitForQuietMachine(busyPercent = 10, windowMs = 500, maxMs = 20_000): Promise<boolean> {
  return quietWithin(windowMs, maxMs, () => {
    const before = machineTicks();
    return () => {
      const after = machineTicks();
      const total = after.total - before.total;
      return total > 0 && ((after.busy - before.busy) * 100) / total <= busyPercent;
    };
  });
}
