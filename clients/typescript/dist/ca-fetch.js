/**
 * A fetch that checks an https: server's certificate against the certificates a client was
 * given (`ca`) instead of the runtime's trusted ones: the client's requests that go through
 * fetch (event streams, and everything under Bun behind a proxy). Bun's fetch takes them
 * itself (`tls.ca`); Node's cannot, so there an https: request goes through node:https, its
 * answer's body streamed as it comes.
 */
const proc = globalThis.process;
/** Statuses whose answers have no body: a Response refuses one. */
const NO_BODY = new Set([101, 204, 205, 304]);
/** A fetch trusting `ca` for https: URLs; a TypeError where the runtime cannot (Deno, browsers). */
export function caFetch(ca) {
    if (typeof proc?.versions?.node !== "string" || "Deno" in globalThis) {
        throw new TypeError("SpoolClient: `ca` needs Node or Bun; elsewhere the runtime's trusted certificates decide");
    }
    if (proc.versions.bun !== undefined) {
        return ((input, init) => fetch(input, { ...init, tls: { ca } }));
    }
    // Not literals, so bundlers for browsers leave them alone.
    const load = (name) => import(name);
    let modules = null;
    return (async (input, init = {}) => {
        const url = new URL(String(input));
        if (url.protocol !== "https:")
            return fetch(input, init);
        const [https, { Readable }] = await (modules ??= Promise.all([load("node:https"), load("node:stream")]));
        return new Promise((resolve, reject) => {
            const options = { method: init.method ?? "GET", headers: (init.headers ?? {}), ca, signal: init.signal ?? undefined };
            const req = https.request(url, options, (res) => {
                const headers = new Headers();
                for (const [name, value] of Object.entries(res.headers)) {
                    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
                        headers.append(name, one);
                }
                const status = res.statusCode ?? 502;
                if (NO_BODY.has(status))
                    res.resume();
                resolve(new Response(NO_BODY.has(status) ? null : Readable.toWeb(res), { status, headers }));
            });
            req.on("error", reject);
            req.end(typeof init.body === "string" ? init.body : undefined);
        });
    });
}
