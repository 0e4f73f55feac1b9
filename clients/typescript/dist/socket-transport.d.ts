/**
 * JSON requests written and read as HTTP/1.1 on kept-alive TCP sockets, where the client runs
 * under Node or Bun and talks to an http: URL. The same request costs the client's process
 * about half the CPU it does through node:http under Node (95–110 against 170–205 µs for a
 * claim answered with ten jobs) and through fetch under Bun (84–100 against 148–157 µs; Bun's
 * node:http costs more still). Each socket carries one request at a time; idle ones are kept
 * for the next request while the server keeps them open. https: URLs go through node:https
 * under Node (node-transport.ts) and fetch under Bun; Deno and browsers use fetch.
 */
import { type Transport } from "./node-transport.js";
/** A transport on sockets where this is Node or Bun and `base` an http: URL; null elsewhere. */
export declare function socketTransport(base: string): Transport | null;
