/** spool as a package in a Bun program (`import … from "spool"`), and `spool serve --handlers FILE`. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postJson, spawnServe, type ServeProcess } from "./helpers/process.ts";
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
