/** spool as a package in a Bun program (`import … from "spool"`), and `spool serve --handlers FILE`. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
import { openSpool } from "../src/index.ts";
import { tempDir } from "./helpers/server.ts";
import { waitFor } from "./helpers/wait.ts";

const ROOT = join(import.meta.dir, "..");
const MAIN = join(ROOT, "src/main.ts");

let dir: string;
let serving: ServeProcess[] = [];

beforeEach(() => {
  dir = tempDir("spool-lib-");
});

afterEach(async () => {
  for (const s of serving) s.proc.kill("SIGKILL");
  await Promise.all(serving.map((s) => s.proc.exited));
  serving = [];
  rmSync(dir, { recursive: true, force: true });
});

test("a Bun program imports spool by its package name, enqueues, runs a handler and closes", async () => {
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "spool"));
  writeFileSync(
    join(dir, "app.ts"),
    `import { openSpool, JobFailure } from "spool";
const spool = await openSpool({ data: "./spool-data" });
let done!: () => void;
const finished = new Promise<void>((resolve) => (done = resolve));
let runs = 0;
spool.work("emails", async (job, ctx) => {
  await ctx.progress(50);
  if (++runs === 2) done();
  if ((job.payload as any).bad) throw new JobFailure("no address", { type: "invalid", retry: false });
  return { sent: (job.payload as any).to };
}, { concurrency: 2 });
const ok = await spool.enqueue("emails", { to: "ada@example.com" });
const bad = await spool.enqueue("emails", { bad: true });
await finished;
await spool.close();
const again = await openSpool({ data: "./spool-data" });
const [a, b] = [await again.getJob(ok.id), await again.getJob(bad.id)];
console.log(JSON.stringify({ a: [a.state, a.result], b: [b.state, b.errors[0].type] }));
await again.close();
`,
  );
  const proc = Bun.spawn([process.execPath, "app.ts"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ a: ["completed", { sent: "ada@example.com" }], b: ["failed", "invalid"] });
});

test("spool serve --handlers runs the file's handlers in the server process; they are listed as in-process workers", async () => {
  writeFileSync(
    join(dir, "jobs.ts"),
    `export const handlers = {
  resize: { concurrency: 3, handler: async (job: any) => ({ width: job.payload.width / 2 }) },
  "audit.log": async () => "logged",
};
`,
  );
  const s = await spawnServe([process.execPath, MAIN], ["--data", join(dir, "data"), "--handlers", join(dir, "jobs.ts")]);
  serving.push(s);
  const resize = (await postJson(`${s.url}/v1/queues/resize/jobs`, { payload: { width: 640 } })).body;
  const audit = (await postJson(`${s.url}/v1/queues/audit.log/jobs`, { payload: {} })).body;
  const job = async (id: string) => (await (await fetch(`${s.url}/v1/jobs/${id}`)).json()) as any;
  await waitFor(async () => (await job(resize.id)).state === "completed" && (await job(audit.id)).state === "completed", 10_000, "both jobs");
  expect((await job(resize.id)).result).toEqual({ width: 320 });
  expect((await job(audit.id)).result).toBe("logged");
  const workers = ((await (await fetch(`${s.url}/v1/workers`)).json()) as any).workers;
  expect(workers.find((w: any) => w.queues[0] === "resize")).toMatchObject({ kind: "in-process", concurrency: 3, processed: 1, online: true });
  expect(workers.find((w: any) => w.queues[0] === "audit.log")).toMatchObject({ kind: "in-process", concurrency: 1, processed: 1 });
});

test("spool serve refuses to start with a handlers file that does not export handlers", async () => {
  writeFileSync(join(dir, "broken.ts"), `export default { emails: () => 1 };\n`);
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data", join(dir, "data"), "--handlers", join(dir, "broken.ts")], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect(code).toBe(2);
  expect(stderr).toContain("must export `handlers`");
});

test("spool serve refuses a handlers file whose options or queues are wrong, naming the queue and the option", async () => {
  const cases: [string, RegExp][] = [
    [`export const handlers = { emails: { concurrency: "ten", handler: () => 1 } };`, /handlers\["emails"\]: concurrency must be a whole number from 1 to 10000/],
    [`export const handlers = { emails: { leaseMs: -1, handler: () => 1 } };`, /handlers\["emails"\]: leaseMs must be a whole number of ms from 1000/],
    [`export const handlers = { "spool:maintenance": () => 1 };`, /"spool:maintenance" is spool's own queue/],
    [`export const handlers = { "bad name!": () => 1 };`, /"bad name!" is not a queue name/],
  ];
  for (const [i, [source, message]] of cases.entries()) {
    writeFileSync(join(dir, `wrong-${i}.ts`), `${source}\n`);
    const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data", join(dir, `data-${i}`), "--handlers", join(dir, `wrong-${i}.ts`)], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect({ source, code, stderr }).toMatchObject({ source, code: 2, stderr: expect.stringMatching(message) });
  }
});

test("spool.work refuses a bad queue name or option at once, with the API's error", async () => {
  const spool = await openSpool({ data: join(dir, "lib-data") });
  try {
    expect(() => spool.work("bad name!", () => 1)).toThrow('"bad name!" is not a queue name');
    expect(() => spool.work("emails", () => 1, { concurrency: "ten" as never })).toThrow("concurrency must be a whole number");
    expect(() => spool.work("emails", () => 1, { heartbeatMs: 60_000, leaseMs: 30_000 })).toThrow("heartbeatMs must be a whole number of ms from 10 to less than leaseMs (30000)");
  } finally {
    await spool.close(0);
  }
});
