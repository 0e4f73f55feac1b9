/**
 * How spool/client talks HTTP: JSON requests written and read as HTTP/1.1 on kept-alive sockets
 * of its own (TCP, or TLS for an https: URL), under Node and under Bun (which also runs these
 * files) — not node:http or fetch, which cost more CPU — a dropped kept-alive connection
 * retried once, and the same errors as through fetch. Against small loopback servers that
 * misbehave on purpose.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
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

test("JSON requests go over one kept-alive connection, written by the client itself: not through fetch or node:http", async () => {
  const heads = [];
  const { url, counts } = await serve((req, res) => {
    heads.push(req.rawHeaders);
    answerJob(req, res);
  });
  const client = new SpoolClient({ url, token: "t0" });
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
  // Exactly the client's headers, as it wrote them: node:http would send "Host" and "Connection: keep-alive".
  assert.deepEqual(heads[4], ["host", new URL(url).host, "accept", "application/json", "authorization", "Bearer t0"]);
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

test("a request not safe to send twice is not sent again when its kept-alive connection drops: it fails, as it may have arrived", async () => {
  const seen = new WeakMap();
  const bodies = [];
  const { url, counts } = await serve((req, res) => {
    const n = (seen.get(req.socket) ?? 0) + 1;
    seen.set(req.socket, n);
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      bodies.push(body);
      // The second request on a connection arrives, and the connection drops without an answer (a proxy, say).
      if (n === 2) return req.socket.destroy();
      res.writeHead(201, { "content-type": "application/json" }).end(job("9"));
    });
  });
  const client = new SpoolClient({ url, retryMs: 0 });
  await client.enqueue("q", 1);
  await assert.rejects(client.enqueue("q", 2), (err) => err instanceof SpoolConnectionError && /may or may not have arrived/.test(err.message));
  assert.equal(bodies.length, 2, "an enqueue without an idempotency key goes once");
  // With a key it is safe to send twice: it goes again on a new connection.
  await client.enqueue("q", 3);
  await client.enqueue("q", 4, { idempotencyKey: "k-4" });
  assert.deepEqual(counts, { connections: 3, requests: 5 });
  assert.equal(JSON.parse(bodies.at(-1)).idempotencyKey, "k-4");
});

test("a connection idle for more than 4 s is not used again: servers and proxies close idle ones", async () => {
  const { url, counts } = await serve(answerJob);
  const client = new SpoolClient({ url });
  await client.getJob("1");
  await client.getJob("2");
  await new Promise((resolve) => setTimeout(resolve, 4200));
  await client.getJob("3");
  assert.deepEqual(counts, { connections: 2, requests: 3 });
});

test("a server that never answers: the request fails as a SpoolConnectionError after the client's timeoutMs", async () => {
  const { url } = await serve(() => {});
  const started = Date.now();
  await assert.rejects(new SpoolClient({ url, timeoutMs: 300 }).enqueue("q", 1), (err) => err instanceof SpoolConnectionError && /no answer within 300 ms/.test(err.message));
  assert.ok(Date.now() - started < 3000);
  // Through a fetch of the caller's own too.
  await assert.rejects(new SpoolClient({ url, timeoutMs: 300, fetch }).getJob("1", {}), (err) => err instanceof SpoolConnectionError);
});

test("a 429 is retried for a request safe to send twice, after the Retry-After it names; any other request gets it", async () => {
  let refusals = 0;
  const { url } = await serve((req, res) => {
    if (refusals++ % 2 === 0) {
      return res.writeHead(429, { "content-type": "application/json", "retry-after": "1" })
        .end(JSON.stringify({ error: { code: "rate_limited", message: "more than 5 requests per second; retry after 1 s", details: [1] } }));
    }
    answerJob(req, res);
  });
  const client = new SpoolClient({ url });
  const started = Date.now();
  assert.equal((await client.getJob("5")).id, "5");
  assert.ok(Date.now() - started >= 950, "waited the Retry-After");
  await assert.rejects(client.enqueue("q", 1), (err) => err.status === 429 && err.code === "rate_limited");
});

test("a 429 from something that is not spool (a proxy) is retried after the Retry-After header it sends", async () => {
  let refusals = 0;
  const { url } = await serve((req, res) => {
    if (refusals++ === 0) return res.writeHead(429, { "content-type": "text/plain", "retry-after": "1" }).end("slow down");
    answerJob(req, res);
  });
  for (const client of [new SpoolClient({ url }), new SpoolClient({ url, fetch })]) {
    refusals = 0;
    const started = Date.now();
    assert.equal((await client.getJob("6")).id, "6");
    assert.ok(Date.now() - started >= 950, "waited the header's Retry-After");
  }
});

test("an event stream silent past its limit counts as cut off; an abort of the caller's own ends it with the abort's reason", async () => {
  const { parseEventStream } = await import("../dist/events.js");
  const silent = new ReadableStream({ start() {} });
  const started = Date.now();
  await assert.rejects((async () => { for await (const _ of parseEventStream(silent, { silentMs: 150 })); })(), (err) => err instanceof SpoolConnectionError && /no byte for 150 ms/.test(err.message));
  assert.ok(Date.now() - started < 2000);

  const { url } = await serve((_req, res) => res.writeHead(200, { "content-type": "text/event-stream" }).write(": hello\n\n"));
  const abort = new AbortController();
  const reason = new Error("done waiting");
  const events = await new SpoolClient({ url }).events({}, { signal: abort.signal });
  setTimeout(() => abort.abort(reason), 50);
  await assert.rejects((async () => { for await (const _ of events); })(), (err) => err === reason);
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

test("an answer in many pieces: a head split across them, a long body, a long chunked body", async () => {
  const big = JSON.stringify({ id: "9", queue: "q", state: "waiting", payload: "x".repeat(1_500_000) });
  const pieces = (text, size) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
  const sockets = new Set();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    let n = 0;
    socket.on("data", async () => {
      n++;
      const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
      if (n === 1) {
        // The head in two pieces, the second with the body's first bytes; then the body in 16 KB pieces.
        const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(big)}\r\n\r\n`;
        socket.write(head.slice(0, 20));
        await pause();
        socket.write(head.slice(20) + big.slice(0, 10));
        for (const piece of pieces(big.slice(10), 16_384)) socket.write(piece);
      } else {
        socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
        for (const piece of pieces(big, 16_384)) socket.write(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`);
        await pause();
        socket.write("0\r\n\r\n");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A plain TCP server waits for its connections to end before it closes: the client keeps its one.
  servers.push({ close: (done) => (sockets.forEach((socket) => socket.destroy()), server.close(done)) });
  const client = new SpoolClient({ url: `http://127.0.0.1:${server.address().port}`, retryMs: 0 });
  for (const id of ["9", "9"]) {
    const got = await client.getJob(id);
    assert.equal(got.payload.length, 1_500_000);
  }
});

test("text beyond ASCII both ways: a request's length counts its UTF-8 bytes, and an answer's characters split between pieces come whole", async () => {
  const text = "é ß 日本語 🙂 \u{10ffff} end";
  const received = [];
  const sockets = new Set();
  // Reads each request whole by its content-length, answers its payload with each of three characters split between pieces.
  const server = createNetServer();
  server.on("connection", (socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on("data", async (data) => {
      buffered = Buffer.concat([buffered, data]);
      const headEnd = buffered.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buffered.subarray(0, headEnd).toString("latin1"))[1]);
      if (buffered.length < headEnd + 4 + length) return;
      // Exactly the declared bytes make the body: a length counted in characters would leave some over.
      if (buffered.length !== headEnd + 4 + length) return (received.push({ declared: length, sent: buffered.length - headEnd - 4 }), socket.destroy());
      const payload = JSON.parse(buffered.subarray(headEnd + 4).toString("utf8")).payload;
      received.push(payload);
      buffered = Buffer.alloc(0);
      let body = Buffer.from(JSON.stringify({ id: "1", queue: "q", state: "waiting", payload }), "utf8");
      socket.write(`HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
      for (const char of ["é", "日", "🙂"]) {
        const cut = body.indexOf(char) + 1;
        socket.write(body.subarray(0, cut));
        body = body.subarray(cut);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      socket.write(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ close: (done) => (sockets.forEach((socket) => socket.destroy()), server.close(done)) });
  const client = new SpoolClient({ url: `http://127.0.0.1:${server.address().port}`, retryMs: 0 });
  const job = await client.enqueue("q", { text }).catch((err) => err);
  assert.deepEqual(received, [{ text }]);
  assert.deepEqual(job.payload, { text });
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

test("under Bun, a proxy the environment names (HTTP_PROXY) carries the requests, through fetch, as Bun's fetch does; under Node none does, as with node:http before", async () => {
  const { url: closedUrl, server: closed } = await serve(answerJob);
  await new Promise((resolve) => closed.close(resolve));
  servers.splice(servers.indexOf(closed), 1);
  const targets = [];
  const { url: proxyUrl } = await serve((req, res) => (targets.push(req.url), answerJob(req, res)));
  process.env.HTTP_PROXY = proxyUrl;
  try {
    const client = new SpoolClient({ url: closedUrl, retryMs: 0 });
    if (process.versions.bun) {
      assert.equal((await client.getJob("5")).id, "5");
      assert.deepEqual(targets, [`${closedUrl}/v1/jobs/5`]);
    } else {
      await assert.rejects(client.getJob("5"), (err) => err instanceof SpoolConnectionError && /ECONNREFUSED/.test(err.message));
      assert.deepEqual(targets, []);
    }
  } finally {
    delete process.env.HTTP_PROXY;
  }
});

const fixture = (name) => new URL(`fixtures/${name}`, import.meta.url);

/** A loopback HTTPS server (a self-signed certificate for localhost and 127.0.0.1) answering jobs; counts connections and requests. */
async function serveTls(handle = answerJob) {
  const counts = { connections: 0, requests: 0 };
  const heads = [];
  const server = createTlsServer({ key: readFileSync(fixture("localhost.key")), cert: readFileSync(fixture("localhost.crt")) }, (req, res) => {
    counts.requests++;
    heads.push(req.rawHeaders);
    handle(req, res);
  });
  server.on("secureConnection", () => counts.connections++);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { port: server.address().port, counts, heads };
}

test("https: JSON requests go over a kept-alive TLS connection of the client's own, to a server whose certificate the runtime trusts", async () => {
  const { port, counts, heads } = await serveTls();
  // By name (sent as SNI) and by address: the certificate holds both.
  const urls = [`https://localhost:${port}`, `https://127.0.0.1:${port}`];
  // A runtime reads NODE_EXTRA_CA_CERTS as it starts: the client runs in a process of its own.
  const child = spawn(process.execPath, [new URL("https-client.mjs", import.meta.url).pathname, ...urls], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: fixture("localhost.crt").pathname },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), { ids: ["1", "2", "3", "1", "2", "3"], fetched: 0 });
  assert.deepEqual(counts, { connections: 2, requests: 6 });
  assert.deepEqual(heads[2], ["host", `localhost:${port}`, "accept", "application/json", "authorization", "Bearer t0"]);
  assert.deepEqual(heads[5], ["host", `127.0.0.1:${port}`, "accept", "application/json", "authorization", "Bearer t0"]);
});

test("https: a server whose certificate is not trusted is refused before any request reaches it, as a SpoolConnectionError", async () => {
  const { port, counts } = await serveTls();
  for (const host of ["localhost", "127.0.0.1"]) {
    await assert.rejects(
      new SpoolClient({ url: `https://${host}:${port}`, retryMs: 0 }).getJob("1"),
      (err) => err instanceof SpoolConnectionError && /certificate/i.test(err.message),
    );
  }
  assert.equal(counts.requests, 0);
});

/** A job by its id, or for GET /v1/events?job=ID the event of that job's completion, which carries it. */
function answerJobOrItsEnd(req, res) {
  const url = new URL(req.url, "https://localhost");
  if (url.pathname !== "/v1/events") return answerJob(req, res);
  const done = { id: url.searchParams.get("job"), queue: "q", state: "completed" };
  res.writeHead(200, { "content-type": "text/event-stream" }).end(`id: 7\nevent: job.completed\ndata: ${JSON.stringify({ job: done })}\n\n`);
}

test("https: a client given the server's certificate as `ca` trusts it, by name and by address, for JSON requests and event streams", async () => {
  const { port, counts } = await serveTls(answerJobOrItsEnd);
  const ca = readFileSync(fixture("localhost.crt"), "utf8");
  for (const host of ["localhost", "127.0.0.1"]) {
    const client = new SpoolClient({ url: `https://${host}:${port}`, ca, retryMs: 0 });
    assert.equal((await client.getJob("2")).id, "2");
    assert.deepEqual(await client.waitForJob("5", { timeoutMs: 5000 }), { id: "5", queue: "q", state: "completed" });
  }
  assert.equal(counts.requests, 4);
});

test("`ca` and a fetch of the caller's own are refused together: the fetch carries its own TLS", () => {
  assert.throws(() => new SpoolClient({ url: "https://localhost:1", ca: "x", fetch }), TypeError);
});
