/** Runs `spool serve` as a real child process and finds its address from what it prints. */
import type { Subprocess } from "bun";

export type ServeProcess = { proc: Subprocess<"ignore", "pipe", "pipe">; url: string; output: () => string };

/** Starts `cmd serve --port 0 ...` and resolves once it prints its address (bounded wait). */
export async function spawnServe(cmd: string[], args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const proc = Bun.spawn([...cmd, "serve", "--port", "0", ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      Bun.sleep(Math.max(0, deadline - Date.now())).then(() => ({ value: undefined, done: true })),
    ]);
    if (value) text += decoder.decode(value);
    const match = text.match(/listening on (http:\/\/\S+)/);
    if (match) {
      // Keep draining stdout so the child never blocks on a full pipe.
      void (async () => {
        for (;;) {
          const { value: more, done: end } = await reader.read();
          if (end) break;
          text += decoder.decode(more);
        }
      })();
      return { proc, url: match[1]!, output: () => text };
    }
    if (done) break;
  }
  proc.kill("SIGKILL");
  const stderr = await new Response(proc.stderr).text();
  throw new Error(`spool serve did not start: ${text}\n${stderr}`);
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}
