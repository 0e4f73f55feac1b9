/**
 * JSON requests written and read as HTTP/1.1 on kept-alive sockets — TCP for an http: URL, TLS
 * for an https: one — where the client runs under Node or Bun. The same request costs the
 * client's process about half the CPU it does through node:http under Node (95–110 against
 * 170–205 µs for a claim answered with ten jobs) and through fetch under Bun (84–100 against
 * 148–157 µs; Bun's node:http costs more still). A request goes out as one string (its length
 * from Buffer.byteLength, not from encoding it), and an answer is searched and decoded by the
 * socket's own Buffer methods: a claim with one job, one request at a time, 125 → 100 µs of the
 * client's CPU under Bun and Node alike, where fetch takes 117–125 µs. Each socket carries one
 * request at a time; idle ones are kept for the next request while the server keeps them open.
 * Deno and browsers use fetch.
 */
import { TransportError } from "./transport.js";
/** Idle sockets kept for later requests: as many as a busy worker has requests out at once. */
const MAX_IDLE = 16;
/**
 * A socket idle longer than this is closed rather than used again: servers and proxies close
 * idle connections (spool after 60 s, many proxies sooner), and a request sent as one does so is
 * lost with it. A new connection on a network a worker talks to costs far less than that.
 */
const MAX_IDLE_MS = 4000;
/** Bounds on an answer's head, as HTTP servers and clients keep them. */
const MAX_HEAD_BYTES = 64 * 1024;
const proc = globalThis.process;
/** The parts of Buffer used here: the runtimes this transport runs under have it as a global. */
const NodeBuffer = globalThis.Buffer;
/**
 * A transport on sockets where this is Node or Bun and `base` an http: or https: URL; null
 * elsewhere, and under Bun when the environment names a proxy for the URL's scheme, which Bun's
 * fetch honours (under Node neither node:http nor, by default, fetch does). `ca`: the
 * certificates an https: server's is checked against, instead of the runtime's.
 */
export function socketTransport(base, ca) {
    if (typeof proc?.versions?.node !== "string" || "Deno" in globalThis)
        return null;
    const origin = new URL(base);
    const secure = origin.protocol === "https:";
    if (!secure && origin.protocol !== "http:")
        return null;
    const proxy = secure ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"];
    if (proc.versions.bun !== undefined && proxy.some((name) => proc.env?.[name]))
        return null;
    const host = origin.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(origin.port || (secure ? 443 : 80));
    // Every request's URL is `base` and then a path and query (Http.url), sent after the base's own path.
    const prefix = origin.pathname.replace(/\/+$/, "");
    // The module names are not literals, so bundlers for browsers leave them alone.
    const load = (name) => import(name);
    let net = null;
    let tls = null;
    const connect = async () => {
        const { isIP, connect: tcp } = await (net ??= load("node:net"));
        if (!secure)
            return tcp({ host, port });
        // The name the certificate must carry (SNI); an address is checked as it is, and not sent.
        const servername = isIP(host) ? undefined : host;
        return (await (tls ??= load("node:tls"))).connect({ host, port, servername, ALPNProtocols: ["http/1.1"], ...(ca === undefined ? {} : { ca }) });
    };
    const idle = [];
    const open = async () => new Connection(await connect());
    return async (method, url, headers, body, signal, resendable, timeoutMs) => {
        if (signal?.aborted)
            throw signal.reason;
        const request = requestText(method, prefix + url.slice(base.length), origin.host, headers, body);
        let conn = takeIdle(idle) ?? (await open());
        let answer;
        try {
            answer = await conn.exchange(request, signal, timeoutMs);
        }
        catch (err) {
            if (!(err instanceof StaleSocket))
                throw err;
            // A kept-alive socket closed as this request went out: most likely by a server closing a
            // socket it was idle on, before the request arrived; but a proxy may have passed it on.
            // Only a request safe to send twice goes once more, on a new socket.
            if (!resendable)
                throw new TransportError(`${err.message} (a kept-alive connection closed as the request went out: it may or may not have arrived)`, false, { cause: err });
            conn = await open();
            answer = await conn.exchange(request, signal, timeoutMs);
        }
        if (answer.close || idle.length >= MAX_IDLE)
            conn.close();
        else
            idle.push(conn.idle());
        return answer.answer;
    };
}
function takeIdle(idle) {
    const now = Date.now();
    for (let conn = idle.pop(); conn; conn = idle.pop()) {
        if (conn.open && now - conn.idleSince <= MAX_IDLE_MS)
            return conn;
        conn.close();
    }
    return null;
}
function requestText(method, target, host, headers, body) {
    let head = `${method} ${target} HTTP/1.1\r\nhost: ${host}\r\n`;
    for (const name in headers) {
        const value = headers[name];
        if (/[\r\n]/.test(name + value) || name.includes(":"))
            throw new TypeError(`invalid HTTP header ${JSON.stringify(name)}`);
        head += `${name}: ${value}\r\n`;
    }
    if (body === undefined)
        return `${head}\r\n`;
    return `${head}content-length: ${NodeBuffer.byteLength(body, "utf8")}\r\n\r\n${body}`;
}
/** A socket kept from an earlier request, found closed before any of the answer came. */
class StaleSocket extends Error {
}
/** One socket and the request it carries, if any. */
class Connection {
    socket;
    open = true;
    /** Whether it carried a request before (kept idle since): a close before any answer then means it went stale. */
    reused = false;
    /** When it was last put aside idle (Date.now()). */
    idleSince = 0;
    /** The answer's bytes so far, joined only when they may make a whole answer (a long one comes in many chunks). */
    chunks = [];
    size = 0;
    /** The answer's whole length once its head told it (Content-Length), "open" for a body of unknown length, null before the head. */
    expected = null;
    /** How many bytes had come when the answer was last looked at, while its length is unknown. */
    lookedAt = 0;
    pending = null;
    constructor(socket) {
        this.socket = socket;
        socket.setNoDelay(true);
        socket.on("data", (chunk) => this.received(chunk));
        socket.on("error", (err) => this.ended(err));
        socket.on("close", () => this.ended(null));
    }
    /**
     * Sends a request and resolves with its whole answer; rejects with a TransportError (timed out
     * after `timeoutMs`, the socket then closed), a StaleSocket (reused only) or the signal's reason.
     */
    exchange(request, signal, timeoutMs) {
        return new Promise((resolve, reject) => {
            const onAbort = () => {
                this.close();
                reject(signal.reason);
            };
            const timer = setTimeout(() => {
                this.pending = null;
                signal?.removeEventListener("abort", onAbort);
                this.close();
                reject(new TransportError(`no answer within ${timeoutMs} ms`, false, undefined, true));
            }, timeoutMs);
            const settle = (f) => (v) => {
                clearTimeout(timer);
                signal?.removeEventListener("abort", onAbort);
                this.pending = null;
                f(v);
            };
            this.pending = { resolve: settle(resolve), reject: settle(reject) };
            signal?.addEventListener("abort", onAbort, { once: true });
            if (!this.open)
                return this.ended(null);
            this.socket.ref();
            this.socket.write(request, "utf8");
        });
    }
    close() {
        this.open = false;
        this.socket.destroy();
    }
    /** The bytes received so far as one array (kept as the only chunk). */
    joined() {
        if (this.chunks.length !== 1)
            this.chunks = [NodeBuffer.concat(this.chunks)];
        return this.chunks[0];
    }
    /** Kept for a later request: an idle socket does not keep the process alive. */
    idle() {
        this.reused = true;
        this.idleSince = Date.now();
        this.socket.unref();
        return this;
    }
    received(chunk) {
        const pending = this.pending;
        if (!pending)
            return this.close(); // bytes no request asked for: the socket cannot be trusted
        this.chunks.push(chunk);
        this.size += chunk.length;
        // Looked at again once it may be whole: its head not seen yet; its known length reached; or,
        // for a body of unknown length, a chunk that ends with an empty line (a chunked body's end)
        // or twice the bytes of the last look, so that a long answer is joined a few times in all
        // rather than at every chunk.
        const expected = this.expected;
        if (typeof expected === "number" && this.size < expected)
            return;
        if (expected === "open" && this.size < 2 * this.lookedAt && !endsWithEmptyLine(chunk))
            return;
        this.lookedAt = this.size;
        let parsed;
        try {
            parsed = parseAnswer(this.joined(), false);
        }
        catch (err) {
            this.close();
            return pending.reject(err);
        }
        if (parsed === null || typeof parsed === "number" || parsed === "open") {
            this.expected = parsed;
            return;
        }
        this.chunks = [];
        this.size = this.lookedAt = 0;
        this.expected = null;
        pending.resolve(parsed);
    }
    ended(err) {
        this.open = false;
        const pending = this.pending;
        if (!pending)
            return;
        if (this.size === 0)
            return pending.reject(endedEarly(err, this.reused));
        // An answer whose end is the socket's close, or one cut off: once ended, parseAnswer answers whole or throws.
        try {
            pending.resolve(parseAnswer(this.joined(), true));
        }
        catch (parseErr) {
            pending.reject(parseErr);
        }
    }
}
/** Why a socket ended before any of the answer came: a reused one closed or reset (stale), or a failure to connect or send. */
function endedEarly(err, reused) {
    const code = err?.code;
    const message = err?.message ?? "the connection closed";
    if (reused && (err === null || code === "ECONNRESET" || code === "EPIPE"))
        return new StaleSocket(message);
    return new TransportError(message, false, { cause: err ?? undefined });
}
/** An answer the socket's close cut short (http.ts reports it as cut off, with this as its cause). */
function endedMidAnswer() {
    return new TransportError("the connection closed before the whole answer came", true);
}
function endsWithEmptyLine(chunk) {
    const n = chunk.length;
    return n >= 4 && chunk[n - 4] === 13 && chunk[n - 3] === 10 && chunk[n - 2] === 13 && chunk[n - 1] === 10;
}
/**
 * The answer in `bytes` once it is whole. While more must come: null before the end of its
 * head, then the whole answer's length where the head gave one, else "open". `ended`: the
 * socket closed, so a body without a length ends here and anything short is cut off.
 */
function parseAnswer(bytes, ended) {
    const headEnd = bytes.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (bytes.length > MAX_HEAD_BYTES)
            throw new TransportError("the answer's head is too long", false);
        if (ended)
            throw endedMidAnswer();
        return null;
    }
    const [statusLine, ...lines] = bytes.toString("latin1", 0, headEnd).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status)
        throw new TransportError(`not an HTTP answer: ${statusLine.slice(0, 80)}`, false);
    const headers = new Map();
    for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0)
            headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const code = Number(status[1]);
    const connection = headers.get("connection")?.toLowerCase();
    const close = connection === "close" || (statusLine.startsWith("HTTP/1.0") && connection !== "keep-alive");
    const rest = bytes.subarray(headEnd + 4);
    // How long a refusal asks the client to wait (429, 503): kept for the retry.
    const wait = code === 429 || code === 503 ? headers.get("retry-after") : undefined;
    const answer = (text) => (wait === undefined ? { status: code, text } : { status: code, text, retryAfter: wait });
    if (code === 204 || code === 304 || code < 200)
        return { answer: answer(""), close };
    if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
        const body = dechunk(rest);
        if (body === null) {
            if (ended)
                throw endedMidAnswer();
            return "open";
        }
        return { answer: answer(body.toString("utf8")), close };
    }
    const length = headers.get("content-length");
    if (length === undefined)
        return ended ? { answer: answer(rest.toString("utf8")), close: true } : "open";
    const size = Number(length);
    if (!Number.isInteger(size) || size < 0)
        throw new TransportError(`a malformed content-length: ${length}`, false);
    if (rest.length < size) {
        if (ended)
            throw endedMidAnswer();
        return headEnd + 4 + size;
    }
    return { answer: answer(rest.toString("utf8", 0, size)), close };
}
/** A chunked body's bytes once its last chunk has come; null while more must come. */
function dechunk(bytes) {
    const parts = [];
    for (let at = 0;;) {
        const lineEnd = bytes.indexOf("\r\n", at);
        if (lineEnd < 0)
            return null;
        const size = parseInt(bytes.toString("latin1", at, lineEnd).split(";")[0].trim(), 16);
        if (Number.isNaN(size))
            throw new TransportError("a malformed chunk size", false);
        // The last chunk, then trailers (if any) up to an empty line.
        if (size === 0)
            return bytes.indexOf("\r\n\r\n", lineEnd) < 0 ? null : NodeBuffer.concat(parts);
        const start = lineEnd + 2;
        if (bytes.length < start + size + 2)
            return null;
        parts.push(bytes.subarray(start, start + size));
        at = start + size + 2;
    }
}
