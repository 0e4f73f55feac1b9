/** `bun run build`: compiles spool into one executable at dist/spool (docs assets, views and htmx inside). */
import { $ } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const outfile = process.argv[2] ?? "dist/spool";
// Start-up code (module bodies, route tables, migrations) runs once: with JIT thresholds 100×
// higher it stays in the interpreter instead of filling ≈ 5 MB with machine code nobody runs
// again. Long-running commands put the normal policy back once they have work (src/cli/idle-memory.ts).
const JIT_POLICY = 100;

// Bytecode halves the start of every command (`spool --help` ≈ 55 ms instead of ≈ 110 ms) for
// ≈ 4 MB more resident memory; it needs ESM output because main.ts awaits at the top level.
function compile(orderFiles: string[]) {
  const order = orderFiles.length ? [`--bytecode-order=${orderFiles.join(",")}`] : [];
  return $`bun build --compile --minify --sourcemap --bytecode --format=esm --no-compile-autoload-dotenv --compile-jit-policy=${JIT_POLICY} ${order} src/main.ts --outfile ${outfile}`;
}

/** The environment without SPOOL_* variables, so a recording run uses a fresh SQLite folder whatever the caller has set. */
function cleanEnv(orderFile: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))) as Record<string, string>;
  return { ...env, BUN_BYTECODE_ORDER_OUT: orderFile };
}

/**
 * Runs the executable the way it is mostly used — `serve` up to ready, then `--help` — and returns
 * the files in which it recorded the functions it ran, most important first.
 */
async function recordStarts(dir: string): Promise<string[]> {
  const serveOrder = join(dir, "serve.order");
  const serve = Bun.spawn([outfile, "serve", "--port", "0", "--data", join(dir, "data")], { env: cleanEnv(serveOrder), stdout: "pipe", stderr: "inherit" });
  let output = "";
  let stopped = false;
  const text = new TextDecoder();
  const reader = serve.stdout.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    output += text.decode(read.value, { stream: true });
    const url = output.match(/spool listening on (\S+) /)?.[1];
    if (!url || stopped) continue;
    await fetch(`${url}/readyz`);
    serve.kill("SIGTERM");
    stopped = true;
  }
  if ((await serve.exited) !== 0 || !output.includes("listening")) throw new Error(`recording the start of serve failed:\n${output}`);
  const helpOrder = join(dir, "help.order");
  await $`${outfile} --help`.env(cleanEnv(helpOrder)).quiet();
  return [serveOrder, helpOrder];
}

// Two passes: the second lays out the bytecode the first one's starts used together at the
// front of the executable, so a start reads fewer of its pages (≈ 3 MB less resident at idle).
const recordings = mkdtempSync(join(tmpdir(), "spool-build-"));
try {
  await compile([]).quiet();
  await compile(await recordStarts(recordings));
} finally {
  rmSync(recordings, { recursive: true, force: true });
}
console.log(`built ${outfile}`);
