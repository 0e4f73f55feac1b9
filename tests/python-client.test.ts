/**
 * The Python client (clients/python) against a real server: each tests/test_*.py module runs
 * under `python3 -m unittest` with SPOOL_URL set, and with a control endpoint through which
 * the Python tests restart the server (same port, same data) to show what survives it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnServe, type ServeProcess } from "./helpers/process.ts";
import { tempDir } from "./helpers/server.ts";

const root = join(import.meta.dir, "..");
const clientDir = join(root, "clients", "python");
const python = Bun.which("python3");
const modules = readdirSync(join(clientDir, "tests")).filter((f) => /^test_.*\.py$/.test(f)).map((f) => f.replace(/\.py$/, "")).sort();

if (!python) {
  if (process.env.CI) throw new Error("python3 is missing: the Python client's tests need it in CI");
  console.warn("skipping the Python client's tests: python3 is not on PATH");
}

const dataDir = tempDir("spool-py-");
let server: ServeProcess;
let port = 0;
let control: ReturnType<typeof Bun.serve> | undefined;

/** Starts the server; jobs the tests leave leased do not hold up its stops (a short grace). */
async function start(): Promise<void> {
  server = await spawnServe([process.execPath, join(root, "src/main.ts")], ["--port", String(port), "--data", dataDir, "--grace", "1s"], { cwd: root });
  port = Number(new URL(server.url).port);
}

/** Stops the server with the signal asked for and starts it again on the same port and data. */
async function restart(signal: "TERM" | "KILL"): Promise<void> {
  server.proc.kill(signal === "KILL" ? "SIGKILL" : "SIGTERM");
  await server.proc.exited;
  await start();
}

beforeAll(async () => {
  if (!python) return;
  await start();
  control = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const signal = url.searchParams.get("signal");
      if (req.method !== "POST" || url.pathname !== "/restart" || (signal !== "TERM" && signal !== "KILL")) return new Response("no such control", { status: 404 });
      await restart(signal);
      return new Response("restarted");
    },
  });
}, 30_000);

afterAll(async () => {
  control?.stop(true);
  server?.proc.kill("SIGTERM");
  await server?.proc.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

test.skipIf(!python)("pip installs the client offline (no index, nothing to download)", async () => {
  const target = tempDir("spool-py-install-");
  try {
    const env = { ...process.env, PIP_NO_CACHE_DIR: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: "1" };
    const run = async (cmd: string[]) => {
      const proc = Bun.spawn(cmd, { cwd: tmpdir(), env, stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      if (code !== 0) console.error(`${cmd.join(" ")} exited with ${code}:\n${out}${err}`);
      return { code, out };
    };
    expect((await run([python!, "-m", "pip", "install", "--no-index", "--target", target, clientDir])).code).toBe(0);
    const check = await run([python!, "-c", "import os, spool_client; print(spool_client.__version__, os.path.exists(os.path.join(os.path.dirname(spool_client.__file__), 'py.typed')))"]);
    expect(check.out.trim()).toBe("0.1.0 True");
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
}, 120_000);

for (const module of modules) {
  test.skipIf(!python)(`python: ${module}`, async () => {
    const proc = Bun.spawn([python!, "-m", "unittest", "-v", `tests.${module}`], {
      cwd: clientDir,
      env: { ...process.env, SPOOL_URL: server.url, SPOOL_TEST_CONTROL_URL: `http://127.0.0.1:${control!.port}`, PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) console.error(`python3 -m unittest tests.${module} exited with ${code}:\n${out}${err}\n--- server output ---\n${server.output()}`);
    expect(code).toBe(0);
    // A module whose tests all skipped would pass without checking anything.
    const ran = Number(/Ran (\d+) tests?/.exec(err)?.[1] ?? 0);
    const skipped = Number(/skipped=(\d+)/.exec(err)?.[1] ?? 0);
    expect(ran - skipped).toBeGreaterThan(0);
  }, 180_000);
}
