/** The executable as `bun run build` makes it, built once per test process however many files need it, removed at exit. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./server.ts";

const root = join(import.meta.dir, "..", "..");
let built: string | null = null;

/** Path of a freshly built spool executable (built on first call, ≈ 3 s). */
export function spoolBinary(): string {
  if (built) return built;
  const dir = tempDir("spool-bin-");
  const binary = join(dir, "spool");
  const build = Bun.spawnSync(["bun", "run", "scripts/build.ts", binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  built = binary;
  return binary;
}
