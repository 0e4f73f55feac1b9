/**
 * An exclusive advisory lock (flock) on a file, held for as long as the process keeps it: the OS
 * drops it when the process ends. Through libc by FFI; where that cannot be loaded (not glibc or
 * macOS), `null`, and the caller does without. SQLite's own locks are fcntl locks, which flock
 * does not touch on Linux or macOS.
 */
import { closeSync, openSync } from "node:fs";

const LOCK_EX = 2;
const LOCK_NB = 4;

type Flock = (fd: number, operation: number) => number;

let flock: Flock | null | undefined;

function loadFlock(): Flock | null {
  if (flock !== undefined) return flock;
  try {
    // Loaded only when a server starts: the CLI's other commands never pay for it.
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const libc = dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
    flock = (fd, operation) => libc.symbols.flock(fd, operation) as number;
  } catch {
    flock = null;
  }
  return flock;
}

/** Takes the lock: "held" (release() gives it back), "taken" (another process holds it), or "unsupported". */
export function holdFileLock(path: string): { state: "held"; release: () => void } | { state: "taken" | "unsupported" } {
  const take = loadFlock();
  if (!take) return { state: "unsupported" };
  let fd: number;
  try {
    fd = openSync(path, "a", 0o600);
  } catch {
    // A file this process may not open for writing: the database itself says why, as it opens.
    return { state: "unsupported" };
  }
  if (take(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return { state: "taken" };
  }
  return { state: "held", release: () => closeSync(fd) };
}
