/** The example pull workers (shell + curl + jq, JavaScript with fetch, Python stdlib) really work against a real server. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const EXAMPLES = join(import.meta.dir, "../examples/workers");

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const EXAMPLES_BY_NAME: [string, string[]][] = [
  ["worker.sh", ["sh", join(EXAMPLES, "worker.sh")]],
  ["worker.mjs", ["node", join(EXAMPLES, "worker.mjs")]],
  ["worker.py", ["python3", join(EXAMPLES, "worker.py")]],
];

const job = async (id: string) => (await server.call("GET", `/v1/jobs/${id}`)).body;

describe.each(EXAMPLES_BY_NAME)("%s", (name, command) => {
  test("completes with the handler's result, fails with its error, and stops when asked to", async () => {
    const queue = `greetings-${name.replace(".", "-")}`;
    const proc = Bun.spawn(command, {
      env: { ...process.env, SPOOL_URL: server.url, SPOOL_QUEUE: queue, SPOOL_TOKEN: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    try {
      const ok = (await server.call("POST", `/v1/queues/${queue}/jobs`, { payload: { name: "Ada" } })).body;
      const bad = (await server.call("POST", `/v1/queues/${queue}/jobs`, { payload: { nom: "Ada" }, maxAttempts: 1 })).body;
      await waitFor(async () => (await job(ok.id)).state === "completed" && (await job(bad.id)).state === "failed", 10_000, `${name} to run both jobs`);
      expect((await job(ok.id)).result).toEqual({ greeting: "hello Ada" });
      const failed = await job(bad.id);
      expect(failed.errors).toHaveLength(1);
      expect(failed.errors[0].message).toContain("payload has no name");

      const workers = (await server.call("GET", "/v1/workers")).body.workers;
      const me = workers.find((w: any) => w.name === name && w.queues.includes(queue));
      expect(me).toMatchObject({ kind: "http", online: true, processed: 1, failed: 1 });
      expect((await server.call("POST", `/v1/workers/${encodeURIComponent(me.id)}/shutdown`)).status).toBe(200);
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
      const [stdout, stderr] = await output;
      if (proc.exitCode !== 0) console.error(`${name} output:\n${stdout}\n${stderr}`);
    }
  });
});
