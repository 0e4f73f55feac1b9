/**
 * How spool/client talks HTTP: JSON requests over node:http on kept-alive connections under
 * Node, and as HTTP/1.1 on kept-alive sockets of their own under Bun (which also runs these
 * files) — not fetch, which costs more CPU in both — a dropped kept-alive connection retried
 * once, and the same errors as through fetch. Against small loopback servers that misbehave
 * on purpose.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, test } from "node:test";
import { SpoolClient, SpoolConnectionError } from "spool/client";

const servers = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

/** A loopback HTTP server answering with `handle`; counts connections and requests. */
async function serve(handle) {
  const counts = { connections: 0, requests: 0 };
  const server = createServer((req, res) => {
    counts.requests++;
    handle(req, res, counts);
  });
  server.on("connection", () => counts.connections++);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${server.address().port}`, counts, server };
}

const job = (id) => JSON.stringify({ id, queue: "q", state: "waiting" });
const answerJob = (req, res) => res.writeHead(200, { "content-type": "application/json" }).end(job(req.url.split("/").pop()));

test("JSON requests go over one kept-alive connection, not through fetch", async () => {
  const { url, counts } = await serve(answerJob);
  const client = new SpoolClient({ url });
  const realFetch = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (...args) => (fetched++, realFetch(...args));
  try {
    for (const id of ["1", "2", "3", "4", "5"]) assert.equal((await client.getJob(id)).id, id);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(fetched, 0);
  assert.deepEqual(counts, { connections: 1, requests: 5 });
});

test("a fetch given to the client carries every request", async () => {
  const { url } = await serve(answerJob);
  let fetched = 0;
  const client = new SpoolClient({ url, fetch: (...args) => (fetched++, fetch(...args)) });
  await client.getJob("7");
  assert.equal(fetched, 1);
});

test("a kept-alive connection the server drops as the next request goes out: the request goes once more on a new one", async () => {
  const seen = new WeakMap();
  const { url, counts } = await serve((req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    // The second request on a connection finds it closed, as when a server's idle timeout meets it.
    if (n === 2) return req.socket.destroy();
    answerJob(req, res);
  });
  // retryMs 0: no retry of the client's own; only the transport's can save the request.
  const client = new SpoolClient({ url, retryMs: 0 });
  assert.equal((await client.getJob("1")).id, "1");
  assert.equal((await client.getJob("2")).id, "2");
  assert.deepEqual(counts, { connections: 2, requests: 3 });
});

test("chunked and close-delimited answers, and an answer that says the connection closes after it", async () => {
  const { url, counts } = await serve((req, res) => {
    const id = req.url.split("/").pop();
    if (id === "1") {
      // No content-length: node:http sends the body in chunks.
      res.writeHead(200, { "content-type": "application/json" });
      res.write(job(id).slice(0, 5));
      setTimeout(() => res.end(job(id).slice(5)), 10);
      return;
    }
    if (id === "2") return res.writeHead(200, { "content-type": "application/json", connection: "close" }).end(job(id));
    answerJob(req, res);
  });
  const client = new SpoolClient({ url, retryMs: 0 });
  for (const id of ["1", "2", "3"]) assert.equal((await client.getJob(id)).id, id);
  // The answer to "2" said the connection closes: "3" went on a new one.
  assert.deepEqual(counts, { connections: 2, requests: 3 });
});

test("a refused connection and an answer cut off are SpoolConnectionErrors; an abort rejects with the signal's reason", async () => {
  const { url: closedUrl, server: closed } = await serve(answerJob);
  await new Promise((resolve) => closed.close(resolve));
  servers.splice(servers.indexOf(closed), 1);
  // retryMs 0: a read is otherwise asked again for 10 s after a connection error.
  await assert.rejects(new SpoolClient({ url: closedUrl, retryMs: 0 }).getJob("1"), (err) => err instanceof SpoolConnectionError && /ECONNREFUSED/.test(err.message));

  const { url: cutUrl } = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"id":');
    setTimeout(() => res.destroy(), 20);
  });
  await assert.rejects(new SpoolClient({ url: cutUrl, retryMs: 0 }).getJob("1"), (err) => err instanceof SpoolConnectionError && /cut off/.test(err.message));

  const { url: silentUrl } = await serve(() => {});
  const abort = new AbortController();
  const reason = new Error("no longer wanted");
  setTimeout(() => abort.abort(reason), 50);
  await assert.rejects(new SpoolClient({ url: silentUrl }).enqueue("q", 1, { signal: abort.signal }), (err) => err === reason);
});
