/** Starts a real spool server on a loopback port with a fresh data folder, for HTTP tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../../src/core/clock.ts";
import { startServer, type RunningServer, type ServeConfig } from "../../src/server.ts";

export type TestServer = RunningServer & {
  dataDir: string;
  /** JSON request; returns status, parsed body and headers. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Stops the server and removes its data folder. */
  close(): Promise<void>;
};

export function tempDir(prefix = "spool-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<ServeConfig> = {}, clock?: Clock): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const server = await startServer(
    {
      port: 0,
      host: "127.0.0.1",
      dataDir,
      durability: "normal",
      insecure: false,
      bodyLimitBytes: 1024 * 1024,
      rateLimitPerSecond: 0,
      adminToken: null,
      publicMetrics: false,
      ...overrides,
    },
    clock,
  );
  return {
    ...server,
    dataDir,
    async call(method, path, body, headers = {}) {
      const res = await fetch(server.url + path, {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (HTML, metrics text): leave it as text.
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
