// A spool pull worker in plain JavaScript (Node 18+, Bun or Deno), no SDK: long-polls for
// jobs, heartbeats while a job runs, completes with handle()'s return value or fails with
// what it throws. Stops on SIGTERM (after the job in hand) or when an operator asks it to.
//   SPOOL_URL=http://127.0.0.1:7070 SPOOL_QUEUE=greetings node worker.mjs
import { hostname } from "node:os";

const URL = process.env.SPOOL_URL ?? "http://127.0.0.1:7070";
const QUEUE = process.env.SPOOL_QUEUE ?? "greetings";
const WORKER_ID = process.env.SPOOL_WORKER_ID ?? `js-${hostname()}-${process.pid}`;

// The job: what it returns becomes the result; what it throws fails the attempt.
async function handle(payload) {
  if (!payload?.name) throw new TypeError("payload has no name");
  return { greeting: `hello ${payload.name}` };
}

async function post(path, body, signal) {
  const headers = { "content-type": "application/json" };
  if (process.env.SPOOL_TOKEN) headers.authorization = `Bearer ${process.env.SPOOL_TOKEN}`;
  const res = await fetch(URL + path, { method: "POST", headers, body: JSON.stringify(body), signal });
  const data = await res.json();
  if (!res.ok) throw new Error(`${path}: ${data.error?.message ?? res.status}`);
  return data;
}

const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());

while (!stop.signal.aborted) {
  let answer;
  try {
    answer = await post(`/v1/queues/${QUEUE}/claim`, { workerId: WORKER_ID, name: "worker.mjs", waitMs: 25_000 }, stop.signal);
  } catch (err) {
    if (!stop.signal.aborted) (console.error(err.message), await new Promise((r) => setTimeout(r, 1000)));
    continue;
  }
  if (answer.control?.shutdown) break;
  for (const job of answer.jobs) {
    const { token } = job.lease;
    // Long jobs keep their lease (30 s by default) with a heartbeat every 10 s.
    const beat = setInterval(() => post(`/v1/jobs/${job.id}/heartbeat`, { token }).catch(() => {}), 10_000);
    let outcome;
    try {
      outcome = { path: "complete", body: { token, result: (await handle(job.payload, job)) ?? null } };
    } catch (err) {
      outcome = { path: "fail", body: { token, error: { message: String(err?.message ?? err), type: err?.name ?? "Error" } } };
    } finally {
      clearInterval(beat);
    }
    await post(`/v1/jobs/${job.id}/${outcome.path}`, outcome.body).catch((err) => console.error(err.message));
  }
}
