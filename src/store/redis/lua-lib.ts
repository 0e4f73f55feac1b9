/**
 * The Lua library (lua/lib/, its files in LIB_FILES order) cut into its top-level definitions, so
 * each script carries only the ones it uses.
 * Redis runs a script's whole chunk on every call, so every `local function` in front of it is a
 * closure made (and collected) per call, used or not; with all of lib.lua that was a large share of
 * a claim's or an enqueue's cost inside redis-server.
 *
 * The library keeps a layout this file relies on, and checks at start-up (it throws where a file
 * breaks it, so no script ships with a definition missing):
 *   - at column 0 there is only `local function name(…)`, `local a, b = …`, `end`, a `--` comment
 *     or a blank line; everything else is indented;
 *   - a `local function` either ends on its own line or at the next column-0 `end`;
 *   - comments at column 0 outside a function belong to the definition that follows them;
 *   - a definition uses only definitions above it, in its file or an earlier one (as Lua locals
 *     must), or itself.
 * A name counts as used where it appears as a whole word outside comments and strings; a word
 * that only looks like a use (a field of the same name) brings in a definition that is not
 * needed, never leaves one out.
 */
import basics from "./lua/lib/basics.lua" with { type: "text" };
import changes from "./lua/lib/changes.lua" with { type: "text" };
import jobActions from "./lua/lib/job-actions.lua" with { type: "text" };
import lanes from "./lua/lib/lanes.lua" with { type: "text" };
import queues from "./lua/lib/queues.lua" with { type: "text" };
import work from "./lua/lib/work.lua" with { type: "text" };

/** The library's files in the order their definitions go in front of a script. */
const LIB_FILES = [
  { file: "lib/basics.lua", source: basics },
  { file: "lib/queues.lua", source: queues },
  { file: "lib/changes.lua", source: changes },
  { file: "lib/lanes.lua", source: lanes },
  { file: "lib/job-actions.lua", source: jobActions },
  { file: "lib/work.lua", source: work },
];

type Definition = { names: string[]; text: string; uses: number[] };

const IDENT = /^[A-Za-z_]\w*$/;
const LOCAL_FUNCTION = /^local function ([A-Za-z_]\w*)\s*\(/;
const LOCAL_VALUES = /^local ([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*=/;

/** The words of Lua code outside its comments and string literals. */
export function codeWords(lua: string): Set<string> {
  const words = new Set<string>();
  const tokens = /--\[(=*)\[[\s\S]*?\]\1\]|--[^\n]*|\[(=*)\[[\s\S]*?\]\2\]|"(?:\\[\s\S]|[^"\\\n])*"|'(?:\\[\s\S]|[^'\\\n])*'|[A-Za-z_]\w*/g;
  for (const [token] of lua.matchAll(tokens)) if (IDENT.test(token)) words.add(token);
  return words;
}

/** Splits one library file (`source`) into its definitions, in order; throws where it leaves the layout above. */
export function splitLib(source: string, file = "lib.lua"): Definition[] {
  return splitLibFiles([{ file, source }]);
}

/** Splits the library's files, taken in order, into their definitions; throws where one leaves the layout above. */
export function splitLibFiles(files: { file: string; source: string }[]): Definition[] {
  const parts = files.flatMap(({ file, source }) => cut(source, file));
  const index = new Map<string, number>();
  parts.forEach((p, i) => p.names.forEach((name) => index.set(name, i)));
  return parts.map((p, i) => {
    const text = p.lines.join("\n").trimEnd();
    const uses = [...codeWords(text)].flatMap((w) => (index.has(w) && index.get(w) !== i ? [index.get(w)!] : []));
    for (const u of uses) {
      if (u > i) throw new Error(`${p.file}: ${p.names.join(", ")} uses ${parts[u]!.names.join(", ")}, defined below it; a Lua local is seen only after its definition`);
    }
    return { names: p.names, text, uses };
  });
}

/** One file's top-level definitions, each with the comment lines above it. */
function cut(source: string, file: string): { file: string; names: string[]; lines: string[] }[] {
  const parts: { file: string; names: string[]; lines: string[] }[] = [];
  let comments: string[] = [];
  let open = false; // inside a multi-line local function, until its column-0 `end`
  const fail = (n: number, why: string, line: string): never => {
    throw new Error(`${file}:${n + 1}: ${why} (the Redis store splits its Lua library by its layout; see src/store/redis/lua-lib.ts): ${line}`);
  };
  source.split("\n").forEach((line, n) => {
    const current = parts.at(-1);
    if (line.trim() === "" || /^\s/.test(line)) {
      if (current) current.lines.push(line);
      else if (line.trim() !== "") fail(n, "indented code before the first definition", line);
    } else if (line.startsWith("--")) {
      if (open) current!.lines.push(line);
      else comments.push(line);
    } else if (/^end\b/.test(line)) {
      if (!open) fail(n, "a column-0 `end` that closes no local function", line);
      if (line.trim() !== "end") fail(n, "a column-0 `end` with more on its line", line);
      current!.lines.push(line);
      open = false;
    } else {
      const fn = LOCAL_FUNCTION.exec(line);
      const values = fn ? null : LOCAL_VALUES.exec(line);
      if (!fn && !values) fail(n, "column 0 holds something other than `local function`, `local … =`, `end` or a comment", line);
      if (open) fail(n, "a new definition before the column-0 `end` of the function above", line);
      const names = fn ? [fn[1]!] : values![1]!.split(",").map((s) => s.trim());
      parts.push({ file, names, lines: [...comments, line] });
      comments = [];
      open = fn !== null && !/\bend\s*(--.*)?$/.test(line);
    }
  });
  if (open) fail(source.split("\n").length - 1, "the file ends inside a local function", parts.at(-1)!.lines[0]!);
  return parts;
}

/** The definitions `script` needs, theirs included, in their order in the library. */
export function libFor(defs: Definition[], script: string): string {
  const index = new Map<string, number>();
  defs.forEach((d, i) => d.names.forEach((name) => index.set(name, i)));
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    defs[i]!.uses.forEach(visit);
  };
  for (const w of codeWords(script)) if (index.has(w)) visit(index.get(w)!);
  return defs.filter((_, i) => needed.has(i)).map((d) => d.text).join("\n\n");
}

const LIB = splitLibFiles(LIB_FILES);

/** Every name the library defines. */
export const LIB_NAMES: readonly string[] = LIB.flatMap((d) => d.names);

/** A script with the parts of the library it uses in front of it: the text Redis runs. */
export function withLib(script: string): string {
  return `${libFor(LIB, script)}\n${script}`;
}
