/**
 * For transport.test.mjs: a client process started with NODE_EXTRA_CA_CERTS (read when a
 * runtime starts) naming the test server's certificate. `node|bun https-client.mjs URL…` reads
 * jobs 1, 2 and 3 from each URL and prints their ids and how many requests went through fetch.
 */
import { SpoolClient } from "spool/client";

const realFetch = globalThis.fetch;
let fetched = 0;
globalThis.fetch = (...args) => (fetched++, realFetch(...args));
const ids = [];
for (const url of process.argv.slice(2)) {
  const client = new SpoolClient({ url, token: "t0", retryMs: 0 });
  for (const id of ["1", "2", "3"]) ids.push((await client.getJob(id)).id);
}
console.log(JSON.stringify({ ids, fetched }));
