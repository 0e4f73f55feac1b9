/** The built executable: `bun run build` writes dist/spool, which runs from any folder with its docs inside. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spoolBinary } from "./helpers/binary.ts";
import { runCli } from "./helpers/cli.ts";
import { tempDir } from "./helpers/server.ts";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";

let binary: string;
const workDir = tempDir("spool-cwd-");
let server: ServeProcess;

beforeAll(async () => {
  binary = spoolBinary();
  // Run from an unrelated folder: nothing may be read from the source tree.
  server = await spawnServe([binary], [], { cwd: workDir });
}, 120_000);

afterAll(async () => {
  server?.proc.kill("SIGTERM");
  await server?.proc.exited;
  rmSync(workDir, { recursive: true, force: true });
});

test("the binary keeps its data in ./spool-data of the folder it runs in", () => {
  expect(existsSync(join(workDir, "spool-data", "spool.db"))).toBe(true);
});

test("enqueue, claim and complete through the binary", async () => {
  const enq = await postJson(`${server.url}/v1/queues/bin/jobs`, { payload: { hello: "world" } });
  expect(enq.status).toBe(201);
  const claim = await postJson(`${server.url}/v1/queues/bin/claim`, { workerId: "t", max: 5 });
  expect(claim.body.jobs.map((j: any) => j.id)).toEqual([enq.body.id]);
  const done = await postJson(`${server.url}/v1/jobs/${enq.body.id}/complete`, { token: claim.body.jobs[0].lease.token, result: { ok: true } });
  expect(done.status).toBe(200);
  expect(done.body.state).toBe("completed");
  expect(done.body.result).toEqual({ ok: true });
});

test("the API reference and its script are served from inside the binary", async () => {
  const page = await (await fetch(`${server.url}/docs`)).text();
  expect(page).toContain("/docs/scalar.js");
  expect(page).not.toContain("cdn.jsdelivr.net");
  const script = await fetch(`${server.url}/docs/scalar.js`);
  expect(script.status).toBe(200);
  expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: object };
  expect(spec.openapi).toBe("3.1.0");
  expect(Object.keys(spec.paths)).toContain("/v1/queues/{queue}/claim");
});

test("the binary's help is the help from source, command for command", async () => {
  // The build runs the executable to lay out its bytecode; the result must still be the whole CLI.
  for (const path of [[], ["job"], ["serve"], ["token", "create"]]) {
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))), NO_COLOR: "1" };
    const built = Bun.spawnSync([binary, ...path, "--help"], { cwd: workDir, env });
    const source = await runCli([...path, "--help"], { cwd: workDir });
    expect({ path, code: built.exitCode, stderr: built.stderr.toString() }).toEqual({ path, code: 0, stderr: "" });
    expect(built.stdout.toString()).toBe(source.stdout);
  }
});

test("the binary's CLI talks to its server", async () => {
  const add = Bun.spawnSync([binary, "--url", server.url, "job", "add", "cli", "--data", '{"n":1}', "--json"], { cwd: workDir });
  expect(add.exitCode).toBe(0);
  const job = JSON.parse(add.stdout.toString());
  const get = Bun.spawnSync([binary, "--url", server.url, "job", "get", job.id], { cwd: workDir });
  expect(get.stdout.toString()).toContain("waiting");
});

test("the dashboard, its styles, htmx and its SSE extension are served from inside the binary", async () => {
  const page = await (await fetch(`${server.url}/`)).text();
  expect(page).toStartWith("<!doctype html>");
  expect(page).toContain("Overview");
  const version = page.match(/\/assets\/style\.css\?v=([^"]+)"/)![1];
  for (const [name, type, marker] of [
    ["style.css", "text/css", "--accent"],
    ["app.js", "text/javascript", "spool.live"],
    ["htmx.js", "text/javascript", "htmx"],
    ["hx-sse.js", "text/javascript", "sse"],
  ] as const) {
    const res = await fetch(`${server.url}/assets/${name}?v=${version}`);
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
    expect(res.headers.get("content-type")).toStartWith(type);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toContain(marker);
  }
  expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"' ]*\.(js|css)/);
});
