/**
 * spool/client (clients/typescript): its committed types and JavaScript match their sources, its
 * Node test suite passes against the built executable, and it runs under Bun as well.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { API_TYPES_PATH, renderApiTypes } from "../clients/typescript/scripts/generate-types.ts";
import { SpoolClient } from "../clients/typescript/dist/client.js";
import { spoolBinary } from "./helpers/binary.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

const root = join(import.meta.dir, "..");
const clientDir = join(root, "clients", "typescript");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

test("src/api-types.ts is what the generator makes of today's /openapi.json (run clients/typescript/scripts/generate-types.ts)", async () => {
  const doc = (await server.call("GET", "/openapi.json")).body;
  expect(readFileSync(API_TYPES_PATH, "utf8")).toBe(renderApiTypes(doc));
});

test("the committed dist/ is what tsc makes of src/ today, and src/ type-checks (run tsc -p clients/typescript)", () => {
  const out = tempDir("spool-client-dist-");
  try {
    const tsc = Bun.spawnSync([join(root, "node_modules", ".bin", "tsc"), "-p", join(clientDir, "tsconfig.json"), "--outDir", out], { stdout: "pipe", stderr: "pipe" });
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
    expect(tsc.exitCode).toBe(0);
    const committed = join(clientDir, "dist");
    expect(readdirSync(committed).sort()).toEqual(readdirSync(out).sort());
    for (const file of readdirSync(out)) expect({ file, text: readFileSync(join(committed, file), "utf8") }).toEqual({ file, text: readFileSync(join(out, file), "utf8") });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

test("the client's own suite passes under Node against the built executable", async () => {
  const files = readdirSync(join(clientDir, "test")).filter((f) => f.endsWith(".test.mjs")).map((f) => join(clientDir, "test", f));
  const node = Bun.spawn(["node", "--test", ...files], { cwd: root, env: { ...process.env, SPOOL_BIN: spoolBinary() }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(node.stdout).text(), new Response(node.stderr).text(), node.exited]);
  if (code !== 0) console.error(stdout, stderr);
  expect(stdout).toMatch(/# fail 0/);
  expect(code).toBe(0);
}, 180_000);

test("under Bun too: enqueue, a worker with progress, and the result awaited over SSE", async () => {
  const client = new SpoolClient({ url: server.url });
  const job = await client.enqueue("bun-client", { n: 21 }, { key: "one" });
  const worker = client.work<{ n: number }>("bun-client", async (job, ctx) => {
    await ctx.progress(50);
    return { doubled: job.payload.n * 2 };
  }, { concurrency: 2, handleSignals: false });
  expect(await client.waitForResult(job.id, { timeoutMs: 5000 })).toEqual({ doubled: 42 });
  await worker.close();
  expect((await client.getJob(job.id)).progress).toBe(50);
});
