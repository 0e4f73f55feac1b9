/**
 * A real spool server for the client's tests, as a child process: the executable named by
 * SPOOL_BIN (tests/client-typescript.test.ts passes the built dist/spool), else `bun src/main.ts`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const command = process.env.SPOOL_BIN ? [process.env.SPOOL_BIN] : ["bun", join(root, "src", "main.ts")];

/** Starts `spool serve` on a fresh data folder (or `dataDir`) and port (or `port`); resolves once it listens. */
export async function startServer({ dataDir = mkdtempSync(join(tmpdir(), "spool-client-")), port = 0 } = {}) {
  const proc = spawn(command[0], [...command.slice(1), "serve", "--port", String(port), "--data", dataDir], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stderr.on("data", (d) => (output += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`spool serve did not start:\n${output}`)), 15_000);
    proc.stdout.on("data", (d) => {
      output += d;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`spool serve exited (${code}):\n${output}`)));
  });
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  return {
    url,
    dataDir,
    port: Number(new URL(url).port),
    /** Stops the process (SIGTERM: graceful; SIGKILL: a crash) and waits for it. */
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
    /** Stops it and removes its data folder. */
    async close() {
      await this.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check()` is truthy (polling every 20 ms, at most `ms`); returns its value. */
export async function until(check, ms = 10_000, what = "condition") {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A promise and its resolve function (Promise.withResolvers is newer than Node 18). */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
