/**
 * JSON requests written and read as HTTP/1.1 on kept-alive TCP sockets, where the client runs
 * under Bun and talks to an http: URL. Bun's fetch spends 148–157 µs of CPU a request, and its
 * node:http more (191–264 µs); the same request on a socket of its own, 84–100 µs. Each socket
 * carries one request at a time; idle ones are kept for the next request while the server keeps
 * them open. Elsewhere (Node: node-transport.ts; https:, Deno, browsers: fetch) nothing changes.
 */
import { type Transport } from "./node-transport.js";
/** A transport on sockets where this is Bun and `base` an http: URL; null elsewhere. */
export declare function socketTransport(base: string): Transport | null;
