/** Runs the spool CLI from source as a real subprocess and collects its exit code and output. */
import { join } from "node:path";

const MAIN = join(import.meta.dir, "../../src/main.ts");

export type CliRun = { code: number; stdout: string; stderr: string };

export type CliOptions = {
  /** SPOOL_* and other variables for this run; the caller's SPOOL_* variables are never passed on. */
  env?: Record<string, string>;
  /** Text for standard input; none when left out. */
  stdin?: string;
  cwd?: string;
};

export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_")));
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd,
    env: { ...inherited, NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** A failed run's stderr must read as a message, not as a crash. */
export function isStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text) || /^\s*\d+ \| /m.test(text);
}
