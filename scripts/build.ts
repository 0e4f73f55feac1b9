/** `bun run build`: compiles spool into one executable at dist/spool (docs assets, views and htmx inside). */
import { $ } from "bun";

const outfile = process.argv[2] ?? "dist/spool";
await $`bun build --compile --minify --sourcemap --no-compile-autoload-dotenv src/main.ts --outfile ${outfile}`;
console.log(`built ${outfile}`);
