/** Resources a benchmark holds — temp folders, child processes — released on exit, error or signal. */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | null = null;

/** Registers a release step; steps run newest first. */
export function onCleanup(step: () => Promise<void> | void): void {
  cleanups.push(step);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (err) {
        process.stderr.write(`cleanup: ${(err as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

/** On SIGINT/SIGTERM: release everything, then exit with the signal's conventional code. */
export function cleanupOnSignals(): void {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(code)));
  }
}

/** A fresh folder under the system temp dir, removed at cleanup. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(os.tmpdir() + "/spool-");
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(proc: Bun.Subprocess, graceMs = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!exited) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}
