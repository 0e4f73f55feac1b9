/**
 * JSON requests over node:https (and node:http) with keep-alive connections, where the client
 * runs under Node and talks to an https: URL (an http: URL goes over sockets of the client's
 * own, socket-transport.ts, cheaper still). Node's fetch costs about 2.5 times the CPU of the
 * same request made with node:http (measured: 500–650 µs against 250 µs for a claim answered
 * with ten jobs), which made a busy worker's own process its bottleneck. Elsewhere (Bun, Deno,
 * browsers) requests go through fetch. Also the transports' shared types.
 */

/** The answer to one request: its status and its whole body as text. */
export type Answer = { status: number; text: string };

/** One request; it rejects with the signal's reason once aborted, or with a TransportError. */
export type Transport = (method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined) => Promise<Answer>;

/** Why a request got no whole answer: the connection failed before one came, or the answer broke off (`cutOff`); `cause` is Node's error. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly cutOff: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The parts of node:http (and node:https) used here. */
type NodeHttp = {
  Agent: new (options: { keepAlive: boolean }) => unknown;
  request(url: URL, options: { method: string; headers: Record<string, string | number>; agent: unknown }, onResponse: (res: NodeResponse) => void): NodeRequest;
};
type NodeResponse = {
  statusCode?: number;
  setEncoding(encoding: "utf8"): void;
  on(event: "data", listener: (chunk: string) => void): void;
  on(event: "end", listener: () => void): void;
  on(event: "error" | "aborted", listener: (err?: Error) => void): void;
};
type NodeRequest = {
  reusedSocket: boolean;
  on(event: "error", listener: (err: Error & { code?: string }) => void): void;
  destroy(err?: unknown): void;
  end(body?: Uint8Array): void;
};

type Loaded = { http: NodeHttp; https: NodeHttp; agents: { http: unknown; https: unknown } };

const proc = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process;

/** A transport on node:http where this is Node (not Bun or Deno, whose fetch is their own); null elsewhere. */
export function nodeTransport(): Transport | null {
  if (typeof proc?.versions?.node !== "string" || proc.versions.bun !== undefined || "Deno" in globalThis) return null;
  // The module names are not literals, so bundlers for browsers leave them alone.
  const load = (name: string) => import(name) as Promise<NodeHttp>;
  let loaded: Promise<Loaded> | null = null;
  const modules = () =>
    (loaded ??= Promise.all([load("node:http"), load("node:https")]).then(([http, https]) => ({
      http,
      https,
      agents: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
    })));
  const encoder = new TextEncoder();
  return async (method, url, headers, body, signal) => {
    const node = await modules();
    const bytes = body === undefined ? undefined : encoder.encode(body);
    const send = () => sendOnce(node, new URL(url), method, bytes === undefined ? headers : { ...headers, "content-length": bytes.length }, bytes, signal);
    try {
      return await send();
    } catch (err) {
      // A kept-alive connection the server closed as this request went out: a server closes a
      // connection it is idle on, so the request did not arrive, and it goes once more on a new
      // connection (Node's own advice for reused sockets).
      if (err instanceof StaleConnection) return send();
      throw err;
    }
  };
}

class StaleConnection extends Error {}

function sendOnce(node: Loaded, url: URL, method: string, headers: Record<string, string | number>, body: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const secure = url.protocol === "https:";
    let answered = false;
    const onAbort = () => req.destroy(signal!.reason);
    const done = (settle: () => void) => {
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    const req = (secure ? node.https : node.http).request(url, { method, headers, agent: secure ? node.agents.https : node.agents.http }, (res) => {
      answered = true;
      const chunks: string[] = [];
      res.setEncoding("utf8");
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => done(() => resolve({ status: res.statusCode ?? 0, text: chunks.join("") })));
      const cutOff = (err?: Error) => {
        const cause = err ?? new Error("the connection closed");
        done(() => reject(signal?.aborted ? signal.reason : new TransportError(cause.message, true, { cause })));
      };
      res.on("error", cutOff);
      res.on("aborted", cutOff);
    });
    req.on("error", (err) => {
      if (answered) return;
      if (signal?.aborted) return done(() => reject(signal.reason));
      if (req.reusedSocket && err.code === "ECONNRESET") return done(() => reject(new StaleConnection(err.message)));
      done(() => reject(new TransportError(err.message, false, { cause: err })));
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    req.end(body);
  });
}
