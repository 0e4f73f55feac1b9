/** `bun run build`: compiles spool into one executable at dist/spool (docs assets, views and htmx inside). */
import { $ } from "bun";

const outfile = process.argv[2] ?? "dist/spool";
// Bytecode halves the start of every command (`spool --help` ≈ 55 ms instead of ≈ 110 ms) for
// ≈ 4 MB more resident memory; it needs ESM output because main.ts awaits at the top level.
await $`bun build --compile --minify --sourcemap --bytecode --format=esm --no-compile-autoload-dotenv src/main.ts --outfile ${outfile}`;
console.log(`built ${outfile}`);
