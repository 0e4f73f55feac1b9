/** One server per data folder, as real processes: the lock, the pid file, and what a clean exit leaves. */
import { afterEach, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnServe, type ServeProcess } from "./helpers/process.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");
let dir: string;
let running: ServeProcess[] = [];

afterEach(async () => {
  for (const s of running) s.proc.kill("SIGKILL");
  await Promise.all(running.map((s) => s.proc.exited));
  running = [];
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serve(data: string) {
  const s = await spawnServe([process.execPath, MAIN], ["--data", data]);
  running.push(s);
  return s;
}

/** `spool serve` expected to refuse: its exit code and what it said. */
async function refusedStart(data: string) {
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data", data], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stderr };
}

test("a clean exit leaves neither the lock nor the pid file", async () => {
  dir = tempDir("spool-lock-");
  const data = join(dir, "data");
  const s = await serve(data);
  expect(existsSync(join(data, "spool.pid"))).toBe(true);
  s.proc.kill("SIGTERM");
  expect(await s.proc.exited).toBe(0);
  expect(existsSync(join(data, "spool.pid"))).toBe(false);
  expect(existsSync(join(data, "spool.lock"))).toBe(false);
});

test("deleting the lock file under a running server does not let a second one start", async () => {
  dir = tempDir("spool-lock-");
  const data = join(dir, "data");
  const first = await serve(data);
  rmSync(join(data, "spool.lock"));
  const second = await refusedStart(data);
  expect(second.code).toBe(2);
  expect(second.stderr).toContain(`pid ${first.proc.pid}`);
  expect(second.stderr).toContain("is using the data folder");
});

test("deleting both the lock file and the pid file under a running server still does not let a second one start", async () => {
  dir = tempDir("spool-lock-");
  const data = join(dir, "data");
  const first = await serve(data);
  rmSync(join(data, "spool.lock"));
  rmSync(join(data, "spool.pid"));
  const second = await refusedStart(data);
  expect(second.code).toBe(2);
  expect(second.stderr).toContain("it holds spool.db");
  expect((await fetch(first.url + "/healthz")).status).toBe(200);
});

test("a pid file left by a server that died does not block a start", async () => {
  dir = tempDir("spool-lock-");
  const data = join(dir, "data");
  const first = await serve(data);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  running = [];
  expect(existsSync(join(data, "spool.pid"))).toBe(true);
  const second = await serve(data);
  expect((await fetch(second.url + "/healthz")).status).toBe(200);
  // A pid file naming a process that is not spool (a recycled pid) does not block either.
  second.proc.kill("SIGTERM");
  await second.proc.exited;
  writeFileSync(join(data, "spool.pid"), String(process.ppid));
  const third = await serve(data);
  expect((await fetch(third.url + "/healthz")).status).toBe(200);
});
