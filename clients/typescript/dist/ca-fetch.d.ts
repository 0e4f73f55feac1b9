/**
 * A fetch that checks an https: server's certificate against the certificates a client was
 * given (`ca`) instead of the runtime's trusted ones: the client's requests that go through
 * fetch (event streams, and everything under Bun behind a proxy). Bun's fetch takes them
 * itself (`tls.ca`); Node's cannot, so there an https: request goes through node:https, its
 * answer's body streamed as it comes.
 */
type Fetch = typeof fetch;
/** A fetch trusting `ca` for https: URLs; a TypeError where the runtime cannot (Deno, browsers). */
export declare function caFetch(ca: string | string[]): Fetch;
export {};
