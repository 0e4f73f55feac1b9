/** The spool CLI as real processes against a real server: jobs, queues, tokens, help, and clear errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isStackTrace, runCli, type CliRun } from "./helpers/cli.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let cwd: string;

beforeAll(async () => {
  server = await startTestServer();
  cwd = tempDir("spool-cli-");
});
afterAll(async () => {
  await server.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** Runs a client command against the test server. */
const spool = (args: string[], stdin?: string) => runCli(args, { env: { SPOOL_URL: server.url }, stdin, cwd });

function ok(run: CliRun): string {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  return run.stdout;
}

/** A refusal: non-zero exit, a message on stderr matching `message`, no stack trace. */
function refused(run: CliRun, message: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(message);
  expect(isStackTrace(run.stderr)).toBe(false);
}

const job = async (id: string) => (await server.call("GET", `/v1/jobs/${id}`)).body;

describe("job", () => {
  test("job add sends --data, --key, --priority and --delay and prints the new job", async () => {
    const out = ok(await spool(["job", "add", "cli-add", "--data", '{"to":"ada"}', "--key", "k1", "--priority", "8", "--delay", "10s"]));
    const [id, state, queue] = out.trim().split(/\s+/);
    expect([state, queue]).toEqual(["delayed", "cli-add"]);
    const stored = await job(id!);
    expect(stored).toMatchObject({ payload: { to: "ada" }, key: "k1", priority: 8, state: "delayed" });
    expect(Date.parse(stored.runAt) - Date.parse(stored.createdAt)).toBe(10_000);
  });

  test("job add --data - reads the payload from stdin", async () => {
    const added = JSON.parse(ok(await spool(["job", "add", "cli-stdin", "--data", "-", "--json"], '{"lines": [1, 2, 3]}\n')));
    expect((await job(added.id)).payload).toEqual({ lines: [1, 2, 3] });
  });

  test("job get prints the job as a record, or as JSON with --json", async () => {
    const { body } = await server.call("POST", "/v1/queues/cli-get/jobs", { payload: { n: 42 }, key: "order-9" });
    const out = ok(await spool(["job", "get", body.id]));
    expect(out).toMatch(new RegExp(`^id\\s+${body.id}$`, "m"));
    expect(out).toMatch(/^state\s+waiting$/m);
    expect(out).toMatch(/^key\s+order-9$/m);
    expect(out).toMatch(/^payload\s+\{"n":42\}$/m);
    expect(JSON.parse(ok(await spool(["job", "get", body.id, "--json"])))).toEqual(body);
  });

  test("job ls prints a table, filters by queue and state, and prints JSON with --json", async () => {
    const a = (await server.call("POST", "/v1/queues/cli-ls/jobs", { payload: "a" })).body;
    const b = (await server.call("POST", "/v1/queues/cli-ls/jobs", { payload: "b", delayMs: 60_000 })).body;
    const lines = ok(await spool(["job", "ls", "--queue", "cli-ls"])).trimEnd().split("\n");
    expect(lines[0]!.split(/\s+/)).toEqual(["ID", "QUEUE", "STATE", "KEY", "PRI", "TRIES", "AGE", "PAYLOAD"]);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([[b.id, "cli-ls", "delayed"], [a.id, "cli-ls", "waiting"]]);
    const page = JSON.parse(ok(await spool(["job", "ls", "--queue", "cli-ls", "--state", "waiting", "--json"])));
    expect(page.jobs.map((j: any) => j.id)).toEqual([a.id]);
    expect(page.nextCursor).toBeNull();
  });

  test("job cancel cancels a waiting job and job retry runs it again", async () => {
    const { body } = await server.call("POST", "/v1/queues/cli-cancel/jobs", {});
    expect(ok(await spool(["job", "cancel", body.id])).trim()).toBe(`${body.id} cancelled`);
    expect((await job(body.id)).state).toBe("cancelled");
    expect(ok(await spool(["job", "retry", body.id])).trim()).toBe(`${body.id} waiting`);
    expect((await job(body.id)).state).toBe("waiting");
  });

  test("an API refusal is printed as its message with a non-zero exit", async () => {
    refused(await spool(["job", "get", "999999"]), /^spool: job 999999 not found \(not_found, HTTP 404\)$/m);
    refused(await spool(["job", "add", "cli-bad", "--priority", "11"]), /priority.*\(validation_failed, HTTP 400\)/);
    expect((await server.call("GET", "/v1/queues/cli-bad")).body.counts.waiting).toBe(0);
  });
});

describe("terminal safety", () => {
  test("control characters from keys, payloads and error messages are shown escaped, never sent to the terminal", async () => {
    const key = "evil\u001b]0;pwned\u0007\u001b[2J";
    const job = await server.call("POST", "/v1/queues/term/jobs", { key, payload: { note: "line\rover" } });
    const outputs = [
      ok(await spool(["job", "ls", "--queue", "term"])),
      ok(await spool(["job", "get", job.body.id])),
      (await spool(["job", "get", "\u001b[31m404"])).stderr,
    ];
    for (const out of outputs) expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(outputs[0]).toContain("evil\\x1b]0;pwned\\x07");
  });
});

describe("queue", () => {
  test("queue ls shows counts; pause, resume and purge act on the queue", async () => {
    await server.call("POST", "/v1/queues/cli-q/jobs", {});
    const cancelled = (await server.call("POST", "/v1/queues/cli-q/jobs", {})).body;
    await server.call("POST", `/v1/jobs/${cancelled.id}/cancel`);
    const table = ok(await spool(["queue", "ls"])).split("\n");
    expect(table[0]!.split(/\s+/)).toEqual(["QUEUE", "PAUSED", "WAITING", "DELAYED", "BLOCKED", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED", "OLDEST", "WAITING"]);
    // The last column: how long the longest-waiting job has waited.
    const row = table.find((l) => l.startsWith("cli-q "))!.trim().split(/\s+/);
    expect(row.slice(0, 8)).toEqual(["cli-q", "1", "0", "0", "0", "0", "0", "1"]);
    expect(row.slice(8).join(" ")).toMatch(/^\d+ (ms|s)$/);
    expect(ok(await spool(["queue", "pause", "cli-q"])).trim()).toBe("cli-q paused");
    expect((await server.call("GET", "/v1/queues/cli-q")).body.paused).toBe(true);
    expect(ok(await spool(["queue", "resume", "cli-q"])).trim()).toBe("cli-q running");
    expect(ok(await spool(["queue", "purge", "cli-q", "--state", "cancelled"])).trim()).toBe("deleted 1 cancelled jobs from cli-q");
    expect((await server.call("GET", "/v1/queues/cli-q")).body).toMatchObject({ paused: false, counts: { waiting: 1, cancelled: 0 } });
  });
});

describe("token", () => {
  test("token create works before any server, prints the token once, and the token then authenticates", async () => {
    const parent = tempDir();
    const dataDir = join(parent, "data");
    try {
      const created = await runCli(["token", "create", "--role", "worker", "--name", "ci", "--data", dataDir], { cwd });
      // The folder and database it made hold tokens' hashes and, soon, payloads: its owner's only, as serve makes them.
      expect((statSync(dataDir).mode & 0o777).toString(8)).toBe("700");
      expect((statSync(join(dataDir, "spool.db")).mode & 0o777).toString(8)).toBe("600");
      // It says it made the folder: a token made in a folder the server does not use would be refused by it.
      expect(created.stderr.trim()).toBe(`spool: created the data folder ${dataDir}; start the server with --data ${dataDir} (or SPOOL_DATA) for it to know this token`);
      const lines = ok({ ...created, stderr: "" }).split("\n");
      const token = lines[0]!;
      expect(token).toMatch(/^spool_[A-Za-z0-9_-]{20,}$/);
      expect(lines.filter((l) => l.includes(token))).toHaveLength(1);
      expect(created.stdout).toMatch(/role worker/);
      const running = await startTestServer({ dataDir });
      try {
        expect((await running.call("GET", "/v1/jobs")).status).toBe(401);
        const authed = await running.call("POST", "/v1/queues/t/claim", { workerId: "w" }, { authorization: `Bearer ${token}` });
        expect(authed.status).toBe(200);
        expect((await running.call("POST", "/v1/queues/t/pause", undefined, { authorization: `Bearer ${token}` })).status).toBe(403);
      } finally {
        await running.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("token ls lists tokens without showing them; token revoke refuses the token at once, even to a running server", async () => {
    const dataDir = tempDir();
    try {
      const create = async (role: string, name?: string) =>
        JSON.parse(ok(await runCli(["token", "create", "--role", role, ...(name ? ["--name", name] : []), "--data", dataDir, "--json"], { cwd })));
      const ci = await create("worker", "ci");
      const ops = await create("admin");
      const running = await startTestServer({ dataDir });
      try {
        expect((await running.call("GET", "/v1/jobs", undefined, { authorization: `Bearer ${ci.token}` })).status).toBe(200);

        const table = ok(await runCli(["token", "ls", "--data", dataDir], { cwd }));
        const [header, ...rows] = table.trimEnd().split("\n");
        expect(header!.split(/\s{2,}/)).toEqual(["ID", "NAME", "ROLE", "CREATED", "LAST USED"]);
        expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 3))).toEqual([[ci.id, "ci", "worker"], [ops.id, "-", "admin"]]);
        expect(rows[0]).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d{4}-\d\d-\d\d \d\d:\d\dZ$/);
        expect(rows[1]).toMatch(/\s+never$/);

        const listed = JSON.parse(ok(await runCli(["token", "ls", "--data", dataDir, "--json"], { cwd })));
        expect(listed.map((t: any) => Object.keys(t).sort())).toEqual([["createdAt", "id", "lastUsedAt", "name", "role"], ["createdAt", "id", "lastUsedAt", "name", "role"]]);
        expect(listed.map((t: any) => [t.id, t.name, t.role, t.lastUsedAt === null])).toEqual([[ci.id, "ci", "worker", false], [ops.id, null, "admin", true]]);
        for (const secret of [ci.token, ops.token]) expect(table + JSON.stringify(listed)).not.toContain(secret);

        expect(ok(await runCli(["token", "revoke", ci.id, "--data", dataDir], { cwd })).trim()).toBe(`${ci.id} revoked`);
        expect((await running.call("GET", "/v1/jobs", undefined, { authorization: `Bearer ${ci.token}` })).status).toBe(401);
        expect((await running.call("GET", "/v1/jobs", undefined, { authorization: `Bearer ${ops.token}` })).status).toBe(200);
        const left = JSON.parse(ok(await runCli(["token", "ls", "--data", dataDir, "--json"], { cwd })));
        expect(left.map((t: any) => t.id)).toEqual([ops.id]);
        refused(await runCli(["token", "revoke", ci.id, "--data", dataDir], { cwd }), new RegExp(`^spool: no token ${ci.id}`, "m"));
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("token ls and token revoke refuse a folder without a database instead of creating one", async () => {
    const dataDir = tempDir();
    try {
      refused(await runCli(["token", "ls", "--data", dataDir], { cwd }), /^spool: no spool database in .*--data or set SPOOL_DATA/m);
      refused(await runCli(["token", "revoke", "x", "--data", dataDir], { cwd }), /^spool: no spool database in /m);
      expect(existsSync(join(dataDir, "spool.db"))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("token create refuses an unknown role and a missing role", async () => {
    const dataDir = tempDir();
    try {
      refused(await runCli(["token", "create", "--role", "root", "--data", dataDir], { cwd }), /argument 'root' is invalid/);
      refused(await runCli(["token", "create", "--data", dataDir], { cwd }), /required option '--role <role>' not specified/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("global options", () => {
  test("SPOOL_URL and SPOOL_TOKEN select the server and authenticate", async () => {
    const secret = "cli-env-admin-secret";
    const guarded = await startTestServer({ adminToken: secret });
    try {
      const env = { SPOOL_URL: guarded.url, SPOOL_TOKEN: secret };
      const added = JSON.parse(ok(await runCli(["job", "add", "env-q", "--json"], { env, cwd })));
      expect((await guarded.call("GET", `/v1/jobs/${added.id}`, undefined, { authorization: `Bearer ${secret}` })).status).toBe(200);
      refused(await runCli(["job", "ls"], { env: { SPOOL_URL: guarded.url }, cwd }), /\(unauthorized, HTTP 401\)/);
      ok(await runCli(["job", "ls", "--url", guarded.url, "--token", secret], { cwd }));
    } finally {
      await guarded.close();
    }
  });

  test("serve on a port another process holds says so in one line and exits 2, no stack trace", async () => {
    const dataDir = tempDir();
    try {
      const run = await runCli(["serve", "--port", String(server.port), "--data", dataDir], { cwd });
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`spool: cannot listen on 127.0.0.1:${server.port}: another process is using that port; stop it or pass another --port`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("an unreachable --url is a clear message and exit code 3 (a refusal or an unhealthy server is 1)", async () => {
    const unreachable = await runCli(["job", "ls", "--url", "http://127.0.0.1:9"], { cwd });
    refused(unreachable, /^spool: cannot reach spool at http:\/\/127\.0\.0\.1:9\b.*SPOOL_URL/m);
    expect(unreachable.code).toBe(3);
    expect((await runCli(["health", "--url", "http://127.0.0.1:9"], { cwd })).code).toBe(3);
    // Reachable: 0 or 1 by the server's health (queues left without workers here may count against it).
    expect([0, 1]).toContain((await spool(["health"])).code);
  });

  test("invalid option values are clear messages and non-zero exits", async () => {
    const cases: [string[], RegExp][] = [
      [["job", "add", "q", "--priority", "high"], /--priority <n>' argument 'high' is invalid\. must be an integer/],
      [["job", "add", "q", "--delay", "soon"], /--delay <duration>' argument 'soon' is invalid/],
      [["job", "add", "q", "--run-at", "yesterday"], /--run-at <time>' argument 'yesterday' is invalid/],
      [["job", "add", "q", "--data", "{oops"], /^spool: --data must be JSON/m],
      [["job", "add", "q", "--data", '{"a":1e309}'], /^spool: --data must hold finite numbers only/m],
      [["schedule", "add", "s", "--every", "1h", "--queue", "q", "--data", "1e309"], /^spool: --data must hold finite numbers only/m],
      [["job", "add", "q", "--run-at", "5"], /--run-at <time>' argument '5' is invalid\. use an ISO 8601 time with its zone/],
      [["job", "add", "q", "--run-at", "2030-01-01 10:00"], /--run-at <time>' argument '2030-01-01 10:00' is invalid/],
      [["job", "add", "q", "--run-at", "2030-01-01T10:00Z"], /--run-at <time>' argument '2030-01-01T10:00Z' is invalid/],
      [["serve", "--redis", "http://foo"], /--redis <url>' argument 'http:\/\/foo' is invalid\. use a redis:\/\/ address/],
      [["status", "--timeout", "forever"], /--timeout <duration>' argument 'forever' is invalid/],
      [["serve", "--alert-thresholds", '{"failureRateWarning": 5}'], /failureRateWarning is a share of the hour's jobs, from 0 to 1/],
      [["serve", "--alert-thresholds", '{"diskWarningPercent": 95}'], /diskWarningPercent \(95\) must be below diskCriticalPercent \(90\)/],
      [["job", "ls", "--state", "sleeping"], /argument 'sleeping' is invalid\. Allowed choices are/],
      [["queue", "purge", "q"], /required option '--state <state>' not specified/],
      [["queue", "purge", "q", "--state", "active"], /argument 'active' is invalid/],
      [["serve", "--port", "99999"], /--port <port>' argument '99999' is invalid\. must be 0–65535/],
      [["serve", "--rate-limit", "-3"], /--rate-limit <n>' argument '-3' is invalid\. must be 0–1000000/],
      [["job", "frobnicate"], /unknown command 'frobnicate'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => spool(args)));
    runs.forEach((run, i) => refused(run, cases[i]![1]));
    // Each is bad usage: exit code 2, as README says (a refusal by the server is 1).
    expect(runs.map((run, i) => [cases[i]![0].join(" "), run.code])).toEqual(cases.map(([args]) => [args.join(" "), 2]));
    for (const command of [["job", "ls"], ["work", "q", "--exec", "true"]]) {
      // `spool work` too refuses at once, where it tried again every second for ever.
      const notAUrl = await runCli([...command, "--url", "notaurl"], { cwd });
      refused(notAUrl, /^spool: --url must be an http:\/\/ or https:\/\/ address/m);
      expect(notAUrl.code).toBe(2);
    }
    // Nothing was enqueued by the refused commands.
    expect((await server.call("GET", "/v1/queues/q")).body.counts.waiting).toBe(0);
  });

  test("a server that takes the connection but never answers is given up after --timeout, as unreachable (exit 3)", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const started = performance.now();
      const run = await runCli(["health", "--url", `http://127.0.0.1:${silent.port}`, "--timeout", "500ms"], { cwd });
      refused(run, /^spool: cannot reach spool at .*no answer within 0\.5 s/m);
      expect(run.code).toBe(3);
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      silent.stop(true);
    }
  });

  test("--url keeps its path: spool behind a proxy at /spool/ is reached there", async () => {
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => {
        const url = new URL(req.url);
        if (!url.pathname.startsWith("/spool/")) return new Response("not here", { status: 404 });
        return fetch(server.url + url.pathname.slice("/spool".length) + url.search, { method: req.method, headers: req.headers, body: req.body });
      },
    });
    try {
      const listed = ok(await runCli(["queue", "ls", "--json", "--url", `http://127.0.0.1:${proxy.port}/spool/`], { cwd }));
      expect(Array.isArray(JSON.parse(listed))).toBe(true);
    } finally {
      proxy.stop(true);
    }
  });

  test("an empty SPOOL_REDIS (a template passing it through unset) keeps the queue in SQLite", async () => {
    const parent = tempDir();
    try {
      const run = await runCli(["token", "create", "--role", "admin", "--data", join(parent, "data")], { env: { SPOOL_REDIS: "" }, cwd });
      expect(run.code).toBe(0);
      expect(existsSync(join(parent, "data", "spool.db"))).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("a SPOOL_ADMIN_TOKEN short enough to guess is refused (exit 2)", async () => {
    const run = await runCli(["serve", "--port", "0", "--data", join(tempDir(), "data")], { env: { SPOOL_ADMIN_TOKEN: "a" }, cwd });
    refused(run, /^spool: SPOOL_ADMIN_TOKEN must be at least 16 characters/m);
    expect(run.code).toBe(2);
  });

  test("--run-at is passed on as written, so an impossible date is the server's refusal, not a day moved on", async () => {
    const run = await spool(["job", "add", "later", "--run-at", "2026-02-30T10:00:00Z"]);
    refused(run, /runAt: must be an ISO 8601 time/);
    expect(run.code).toBe(1);
    const { runAt } = JSON.parse(ok(await spool(["job", "add", "later", "--run-at", "2030-01-01T10:00:00+01:00", "--json"])));
    expect(runAt).toBe("2030-01-01T09:00:00.000Z");
  });

  test("attempts show against maxAttempts as they count, those given back at a shutdown apart", async () => {
    const { id } = JSON.parse(ok(await spool(["job", "add", "given-back", "--max-attempts", "1", "--json"])));
    const [claimed] = await server.service.claim({ queue: "given-back", workerId: "w" });
    await server.service.fail({ id, token: claimed!.leaseToken!, error: { message: "deploy", type: "shutdown" }, retryInMs: 0 });
    expect(ok(await spool(["job", "get", id]))).toMatch(/^attempts +0\/1 \+1 given back$/m);
    expect(ok(await spool(["job", "ls", "--queue", "given-back"]))).toContain("0/1 +1 given back");
  });

  test("a data folder that cannot be used is one line naming it and exit 2, for serve and token commands alike", async () => {
    const parent = tempDir();
    try {
      const file = join(parent, "a-file");
      writeFileSync(file, "not a folder");
      const corrupt = join(parent, "corrupt");
      mkdirSync(corrupt);
      writeFileSync(join(corrupt, "spool.db"), Buffer.alloc(8192, 7));
      for (const args of [["serve", "--port", "0", "--data", file], ["token", "create", "--role", "admin", "--data", file], ["token", "ls", "--data", corrupt]]) {
        const run = await runCli(args, { cwd });
        expect({ args, code: run.code, lines: run.stderr.trim().split("\n").length }).toEqual({ args, code: 2, lines: 1 });
        expect(run.stderr).toStartWith("spool: cannot use the");
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test("a flag's SPOOL_* variable turns it on only when it says so (1, true, yes, on), and a value that says neither is refused", async () => {
    const { id } = JSON.parse(ok(await spool(["job", "add", "env-flags", "--json"])));
    const asJson = (value: string) => runCli(["job", "get", id], { env: { SPOOL_URL: server.url, SPOOL_JSON: value }, cwd });
    for (const value of ["1", "true", "YES", "on"]) expect({ value, json: ok(await asJson(value)).trimStart().startsWith("{") }).toEqual({ value, json: true });
    for (const value of ["0", "false", "no", "off", ""]) expect({ value, json: ok(await asJson(value)).trimStart().startsWith("{") }).toEqual({ value, json: false });
    const maybe = await asJson("maybe");
    refused(maybe, /^spool: SPOOL_JSON must be 1, true, yes or on .* \(got "maybe"\)/m);
    expect(maybe.code).toBe(2);
    // The same reading guards `serve`: SPOOL_INSECURE=false does not let it listen beyond loopback without a token.
    const dataDir = tempDir();
    try {
      const serve = await runCli(["serve", "--host", "0.0.0.0", "--port", "0", "--data", dataDir], { env: { SPOOL_INSECURE: "false" }, cwd });
      refused(serve, /refusing to listen on 0\.0\.0\.0 without any API token/);
      expect(serve.code).toBe(2);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("help", () => {
  /** Subcommand names listed under "Commands:" in a help text. */
  function subcommands(help: string): string[] {
    const section = help.split(/^Commands:$/m)[1] ?? "";
    return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((name) => name !== "help");
  }

  test("--help works on every command and subcommand", async () => {
    const seen: string[] = [];
    let level: string[][] = [[]];
    while (level.length > 0) {
      const runs = await Promise.all(level.map((path) => runCli([...path, "--help"], { cwd })));
      const next: string[][] = [];
      runs.forEach((run, i) => {
        const path = level[i]!;
        expect({ path, code: run.code, stderr: run.stderr }).toEqual({ path, code: 0, stderr: "" });
        expect(run.stdout).toStartWith(`Usage: spool${path.length ? " " + path.join(" ") : ""}`);
        seen.push(path.join(" "));
        for (const name of subcommands(run.stdout)) next.push([...path, name]);
      });
      level = next;
    }
    for (const expected of ["serve", "job add", "job get", "job ls", "job cancel", "job retry", "queue ls", "queue pause", "queue resume", "queue purge", "token create", "token ls", "token revoke"]) {
      expect(seen).toContain(expected);
    }
  });
});
