/**
 * Open dashboards, as a browser keeps them: `bun bench/dashboard-clients.ts URL N PATH`. Each
 * holds the /live stream and re-reads its page when told something changed (at most once
 * every two seconds, like public/app.js), and every 5 s regardless. Prints the pages read when stopped.
 */
const [url, countArg, path = "/"] = process.argv.slice(2);
const count = Number(countArg);
let pages = 0;
let stopping = false;

async function dashboard(): Promise<void> {
  let last = 0;
  let pending: Promise<void> | null = null;
  const refresh = () => {
    if (pending || stopping) return;
    const wait = Math.max(0, 2000 - (Date.now() - last));
    pending = Bun.sleep(wait).then(async () => {
      last = Date.now();
      await (await fetch(url + path)).text();
      pages++;
      pending = null;
    });
  };
  const poll = setInterval(() => Date.now() - last >= 5000 && refresh(), 1000);
  const res = await fetch(url + "/live");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  while (!stopping) {
    const { value, done } = await reader.read();
    if (done) break;
    if (decoder.decode(value).includes("event: changed")) refresh();
  }
  clearInterval(poll);
  await reader.cancel().catch(() => {});
}

process.once("SIGTERM", () => {
  stopping = true;
  process.stdout.write(JSON.stringify({ pages }) + "\n");
  process.exit(0);
});
await Promise.all(Array.from({ length: count }, dashboard));
export {};
