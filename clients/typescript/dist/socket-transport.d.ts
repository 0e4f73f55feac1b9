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
import { type Transport } from "./transport.js";
/**
 * A transport on sockets where this is Node or Bun and `base` an http: or https: URL; null
 * elsewhere, and under Bun when the environment names a proxy for the URL's scheme, which Bun's
 * fetch honours (under Node neither node:http nor, by default, fetch does). `ca`: the
 * certificates an https: server's is checked against, instead of the runtime's.
 */
export declare function socketTransport(base: string, ca?: string | string[]): Transport | null;
