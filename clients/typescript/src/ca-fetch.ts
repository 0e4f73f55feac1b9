/**
 * A fetch that checks an https: server's certificate against the certificates a client was
 * given (`ca`) instead of the runtime's trusted ones: the client's requests that go through
 * fetch (event streams, and everything under Bun behind a proxy). Bun's fetch takes them
 * itself (`tls.ca`); Node's cannot, so there an https: request goes through node:https, its
 * answer's body streamed as it comes.
 */

type Fetch = typeof fetch;

/** The parts of node:https and node:stream used here. */
type IncomingMessage = AsyncIterable<Uint8Array> & { statusCode?: number; headers: Record<string, string | string[] | undefined>; resume(): void };
type Https = {
  request(
    url: URL,
    options: { method: string; headers: Record<string, string>; ca: string | string[]; signal?: AbortSignal },
    onAnswer: (res: IncomingMessage) => void,
  ): { on(event: "error", listener: (err: Error) => void): void; end(body?: string): void };
};
type Stream = { Readable: { toWeb(stream: IncomingMessage): ReadableStream<Uint8Array> } };

const proc = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process;

/** Statuses whose answers have no body: a Response refuses one. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** A fetch trusting `ca` for https: URLs; a TypeError where the runtime cannot (Deno, browsers). */
export function caFetch(ca: string | string[]): Fetch {
  if (typeof proc?.versions?.node !== "string" || "Deno" in globalThis) {
    throw new TypeError("SpoolClient: `ca` needs Node or Bun; elsewhere the runtime's trusted certificates decide");
  }
  if (proc.versions.bun !== undefined) {
    return ((input, init) => fetch(input, { ...init, tls: { ca } } as RequestInit)) as Fetch;
  }
  // Not literals, so bundlers for browsers leave them alone.
  const load = <T>(name: string) => import(name) as Promise<T>;
  let modules: Promise<[Https, Stream]> | null = null;
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    if (url.protocol !== "https:") return fetch(input, init);
    const [https, { Readable }] = await (modules ??= Promise.all([load<Https>("node:https"), load<Stream>("node:stream")]));
    return new Promise<Response>((resolve, reject) => {
      const options = { method: init.method ?? "GET", headers: (init.headers ?? {}) as Record<string, string>, ca, signal: init.signal ?? undefined };
      const req = https.request(url, options, (res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
        }
        const status = res.statusCode ?? 502;
        if (NO_BODY.has(status)) res.resume();
        resolve(new Response(NO_BODY.has(status) ? null : Readable.toWeb(res), { status, headers }));
      });
      req.on("error", reject);
      req.end(typeof init.body === "string" ? init.body : undefined);
    });
  }) as Fetch;
}
