/** `spool work QUEUE --exec CMD` as a real process against a real server, with real shell scripts. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { TestClock } from "../src/core/clock.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const MAIN = join(import.meta.dir, "../src/main.ts");

let server: TestServer;
let clock: TestClock;
let dir: string;
let workers: Subprocess<"ignore", "pipe", "pipe">[] = [];

beforeEach(async () => {
  clock = new TestClock(Date.now());
  server = await startTestServer({}, clock);
  dir = tempDir("spool-exec-");
});

afterEach(async () => {
  for (const w of workers) w.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  workers = [];
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes an executable shell script into the test folder and returns its path. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function startWorker(queue: string, command: string, extra: string[] = []) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_")));
  const proc = Bun.spawn([process.execPath, MAIN, "work", queue, "--exec", command, "--url", server.url, ...extra], {
    env: { ...env, TEST_DIR: dir },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  workers.push(proc);
  const stderr = new Response(proc.stderr).text();
  return { proc, stderr };
}

async function enqueue(queue: string, body: Record<string, unknown>) {
  const res = await server.call("POST", `/v1/queues/${queue}/jobs`, body);
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const job = async (id: string) => (await server.call("GET", `/v1/jobs/${id}`)).body;

async function jobIn(id: string, states: string[], timeoutMs = 10_000) {
  await waitFor(async () => states.includes((await job(id)).state), timeoutMs, `job ${id} to be ${states.join("/")}`);
  return job(id);
}

/** Whether a process still runs (a zombie waiting to be reaped counts as gone). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

describe("outcomes", () => {
  test("exit 0 completes: the payload arrives on stdin, stdout JSON becomes the result", async () => {
    const cmd = script("ok.sh", `cat > "$TEST_DIR/stdin-$SPOOL_JOB_ID.json"\necho "{\\"job\\": \\"$SPOOL_JOB_ID\\", \\"attempt\\": $SPOOL_ATTEMPT, \\"queue\\": \\"$SPOOL_QUEUE\\"}"`);
    startWorker("thumbs", cmd);
    const { id } = await enqueue("thumbs", { payload: { path: "/img/1.png", sizes: [64, 128] } });
    expect(await jobIn(id, ["completed"])).toMatchObject({ result: { job: id, attempt: 1, queue: "thumbs" } });
    expect(JSON.parse(readFileSync(join(dir, `stdin-${id}.json`), "utf8"))).toEqual({ path: "/img/1.png", sizes: [64, 128] });
  });

  test("a completion waiting to ride on the next claim (a long poll) is logged as the command ends, not when that claim answers", async () => {
    const { proc, stderr } = startWorker("logged", "true");
    const { id } = await enqueue("logged", { payload: 1 });
    await jobIn(id, ["completed"]);
    // The claim that carried the completion is still waiting for a job: its answer has not come.
    await Bun.sleep(300);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(await stderr).toMatch(new RegExp(`^spool work: job ${id} completed \\(`, "m"));
  });

  test("stdout JSON a result cannot hold (1e309, nesting past the limit) is kept as text, not stored as null or refused", async () => {
    const deep = "[".repeat(200) + "]".repeat(200);
    startWorker("odd-json", `read n; if [ "$n" = 1 ]; then echo 1e309; else echo '${deep}'; fi`, ["--concurrency", "2"]);
    const big = await enqueue("odd-json", { payload: 1 });
    const nested = await enqueue("odd-json", { payload: 2 });
    expect(await jobIn(big.id, ["completed", "failed"])).toMatchObject({ state: "completed", result: "1e309", attempts: 1 });
    expect(await jobIn(nested.id, ["completed", "failed"])).toMatchObject({ state: "completed", result: deep, attempts: 1 });
  });

  test("a lease of 1 s is kept by heartbeats through a longer command", async () => {
    startWorker("short-lease", "sleep 2.5", ["--lease", "1s"]);
    const { id } = await enqueue("short-lease", { payload: 1 });
    expect(await jobIn(id, ["completed", "failed"], 15_000)).toMatchObject({ state: "completed", attempts: 1, errors: [] });
  });

  test("an outcome the server could not take while it was down is reported once it is back, and the command does not run again", async () => {
    const cmd = script("count.sh", `echo run >> "$TEST_DIR/runs"\nsleep 1\necho '{"ok": true}'`);
    // Concurrency 2: a claim is out while the command runs, so its outcome goes in a request of its own.
    startWorker("outage", cmd, ["--concurrency", "2"]);
    const { id } = await enqueue("outage", { payload: 1 });
    await waitFor(() => existsSync(join(dir, "runs")), 10_000, "the command to start");
    const { dataDir, port } = server;
    await server.stop();
    await Bun.sleep(2000);
    server = await startTestServer({ dataDir, port }, clock);
    expect(await jobIn(id, ["completed", "failed"], 15_000)).toMatchObject({ state: "completed", result: { ok: true }, attempts: 1, errors: [] });
    expect(readFileSync(join(dir, "runs"), "utf8").trim().split("\n")).toEqual(["run"]);
  });

  test("stdout that is not JSON becomes a text result", async () => {
    startWorker("echo", "echo hello from $SPOOL_JOB_ID");
    const { id } = await enqueue("echo", { payload: 1 });
    expect(await jobIn(id, ["completed"])).toMatchObject({ result: `hello from ${id}` });
  });

  test("a non-zero exit fails the attempt with the tail of stderr", async () => {
    const cmd = script("bad.sh", `echo "starting" \necho "disk quota exceeded" >&2\nexit 3`);
    startWorker("bad", cmd);
    const { id } = await enqueue("bad", { payload: 1, maxAttempts: 1 });
    const failed = await jobIn(id, ["failed"]);
    expect(failed.errors).toHaveLength(1);
    expect(failed.errors[0]).toMatchObject({ type: "exit_3", attempt: 1 });
    expect(failed.errors[0].message).toContain("disk quota exceeded");
  });

  test("a failure while a claim is out (a free slot long-polling) is reported on its own and recorded at once", async () => {
    const cmd = script("bad2.sh", `echo "no such file" >&2\nexit 2`);
    const { proc, stderr } = startWorker("bad2", cmd, ["--concurrency", "2"]);
    const { id } = await enqueue("bad2", { payload: 1, maxAttempts: 1 });
    const failed = await jobIn(id, ["failed"], 5_000);
    expect(failed.errors[0]).toMatchObject({ type: "exit_2", attempt: 1 });
    proc.kill("SIGTERM");
    await proc.exited;
    expect(await stderr).not.toContain("could not report");
  });

  test("runs up to --concurrency commands at once", async () => {
    const cmd = script("slow.sh", `echo start >> "$TEST_DIR/log"\nsleep 0.3\necho end >> "$TEST_DIR/log"`);
    startWorker("par", cmd, ["--concurrency", "3"]);
    const res = await server.call("POST", "/v1/queues/par/jobs/batch", { jobs: Array.from({ length: 6 }, (_, i) => ({ payload: i })) });
    const ids = res.body.jobs.map((j: { id: string }) => j.id);
    for (const id of ids) await jobIn(id, ["completed"]);
    let running = 0;
    let most = 0;
    for (const line of readFileSync(join(dir, "log"), "utf8").trim().split("\n")) {
      running += line === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(3);
  });
});

describe("killing commands", () => {
  test("past the job's timeout the command's process group is killed and the attempt fails as timeout", async () => {
    const cmd = script("hang.sh", `sleep 30 &\necho $! > "$TEST_DIR/child.pid"\necho $$ > "$TEST_DIR/main.pid"\nwait`);
    startWorker("hang", cmd);
    const { id } = await enqueue("hang", { payload: 1, timeoutMs: 500, maxAttempts: 1 });
    await waitFor(() => existsSync(join(dir, "main.pid")) && existsSync(join(dir, "child.pid")), 10_000, "the command to start");
    const pids = ["child.pid", "main.pid"].map((f) => Number(readFileSync(join(dir, f), "utf8")));
    await waitFor(() => pids.every((pid) => !alive(pid)), 5000, "the command and its child to be killed");
    // The lease ended at the deadline: the server records the attempt as timed out.
    clock.advance(500);
    await server.service.reapExpiredLeases();
    expect((await job(id)).errors[0]).toMatchObject({ type: "timeout" });
  });

  test("cancelling a running job kills its command and the job ends cancelled", async () => {
    const cmd = script("wait.sh", `echo $$ > "$TEST_DIR/main.pid"\nsleep 30`);
    startWorker("cancel", cmd, ["--lease", "1s"]);
    const { id } = await enqueue("cancel", { payload: 1 });
    await waitFor(() => existsSync(join(dir, "main.pid")), 10_000, "the command to start");
    const pid = Number(readFileSync(join(dir, "main.pid"), "utf8"));
    expect((await server.call("POST", `/v1/jobs/${id}/cancel`)).status).toBe(200);
    expect(await jobIn(id, ["cancelled"])).toMatchObject({ state: "cancelled" });
    await waitFor(() => !alive(pid), 5000, "the command to be killed");
  });
});

describe("stopping", () => {
  test("SIGTERM: the running command finishes and completes, nothing more is claimed, exit 0", async () => {
    const cmd = script("finish.sh", `touch "$TEST_DIR/started-$SPOOL_JOB_ID"\nsleep 0.5\necho '"finished"'`);
    const { proc } = startWorker("drain", cmd);
    const first = await enqueue("drain", { payload: 1 });
    await waitFor(() => existsSync(join(dir, `started-${first.id}`)), 10_000, "the command to start");
    proc.kill("SIGTERM");
    const second = await enqueue("drain", { payload: 2 });
    expect(await proc.exited).toBe(0);
    expect(await job(first.id)).toMatchObject({ state: "completed", result: "finished" });
    expect(await job(second.id)).toMatchObject({ state: "waiting", attempts: 0 });
  });

  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    test(`${signal} past --grace: the command is killed and its job given back to run again, even on its last attempt`, async () => {
      const cmd = script("stuck.sh", `touch "$TEST_DIR/started"\nsleep 30`);
      const { proc } = startWorker("stuck", cmd, ["--grace", "200ms"]);
      const { id } = await enqueue("stuck", { payload: 1, maxAttempts: 1 });
      await waitFor(() => existsSync(join(dir, "started")), 10_000, "the command to start");
      proc.kill(signal);
      expect(await proc.exited).toBe(0);
      const back = await job(id);
      expect(back).toMatchObject({ state: "waiting", attempts: 1 });
      expect(back.errors[0]).toMatchObject({ type: "shutdown" });
    });
  }

  test("an operator's shutdown request reaches the worker, which exits 0; it is listed as an http worker", async () => {
    const { proc, stderr } = startWorker("ops", "cat > /dev/null", ["--concurrency", "2", "--name", "ops worker"]);
    let listed: any;
    await waitFor(async () => {
      listed = (await server.call("GET", "/v1/workers")).body.workers.find((w: any) => w.name === "ops worker");
      return listed !== undefined;
    }, 10_000, "the worker to appear in GET /v1/workers");
    expect(listed).toMatchObject({ kind: "http", queues: ["ops"], concurrency: 2, online: true, active: 0 });
    expect((await server.call("POST", `/v1/workers/${encodeURIComponent(listed.id)}/shutdown`)).status).toBe(200);
    expect(await proc.exited).toBe(0);
    expect(await stderr).toContain("asked this worker to shut down");
  });
});

describe("finished with the next claim", () => {
  test("outcomes ride with the next claim, and results near the server's body limit still complete", async () => {
    await server.close();
    server = await startTestServer({ bodyLimitBytes: 8 * 1024 }, clock);
    // Each result is about 6 KiB: two carried by one claim would be over the server's 8 KiB (then each goes on its own).
    const six = script("six.sh", `head -c 6000 /dev/zero | tr '\\0' 'b' | sed 's/.*/"&"/'`);
    const jobs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => enqueue("batched", {})));
    startWorker("batched", six, ["--concurrency", "3"]);
    for (const job of jobs) {
      const done = await jobIn(job.id, ["completed"]);
      expect(done.attempts).toBe(1);
      expect(done.result).toHaveLength(6000);
    }
  });
});

describe("refusals", () => {
  test("a worker the server refuses (wrong token) stops at once with exit 2 and says why", async () => {
    await server.close();
    server = await startTestServer({ adminToken: "the-real-admin-token-0123456789" }, clock);
    const w = startWorker("refused", "true", ["--token", "not-the-token"]);
    expect(await w.proc.exited).toBe(2);
    expect(await w.stderr).toMatch(/refuses this worker's claims: .*unknown or revoked token/);
  });

  test("a result larger than the server accepts fails the job for good as result_too_large instead of leaving it leased", async () => {
    await server.close();
    server = await startTestServer({ bodyLimitBytes: 64 * 1024 }, clock);
    const big = script("big.sh", `head -c 100000 /dev/zero | tr '\\0' 'a' | sed 's/.*/"&"/'`);
    const queued = await enqueue("big", { maxAttempts: 3 });
    startWorker("big", big);
    const failed = await jobIn(queued.id, ["failed"]);
    expect(failed.attempts).toBe(1);
    expect(failed.errors[0]).toMatchObject({ type: "result_too_large" });
  });
});
