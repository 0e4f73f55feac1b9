/**
 * Each Redis script carries only the parts of the Lua library (lua/lib/) it uses (src/store/redis/lua-lib.ts): every
 * script, as the store registers it, defines each lib name it uses before the use, and nothing it
 * does not use. No Redis needed; the store contract on Redis is the proof that the scripts run.
 */
import { describe, expect, test } from "bun:test";
import { RedisJobs } from "../src/store/redis/job-ops.ts";
import { Keys } from "../src/store/redis/keys.ts";
import { codeWords, LIB_NAMES, splitLib, splitLibFiles, withLib } from "../src/store/redis/lua-lib.ts";
import { RedisMonitor } from "../src/store/redis/monitor-ops.ts";
import { RedisQueues } from "../src/store/redis/queue-ops.ts";
import { RedisSchedules } from "../src/store/redis/schedule-ops.ts";
import { Scripts, type RedisClient } from "../src/store/redis/scripts.ts";
import { RedisTokens } from "../src/store/redis/token-ops.ts";
import { RedisWorkers } from "../src/store/redis/worker-ops.ts";

/** Every script the store registers, by name, as its parts hand it over (before the library goes in front). */
function registeredScripts(): Map<string, string> {
  const sources = new Map<string, string>();
  class Recording extends Scripts {
    override add(s: Record<string, string>): void {
      for (const [name, lua] of Object.entries(s)) sources.set(name, lua);
    }
  }
  const ctx = { redis: {} as RedisClient, keys: new Keys("lua-lib"), scripts: undefined as unknown as Scripts };
  ctx.scripts = new Recording(ctx.redis, ctx.keys);
  for (const Part of [RedisJobs, RedisMonitor, RedisQueues, RedisSchedules, RedisTokens, RedisWorkers]) new Part(ctx);
  return sources;
}

/** The column-0 blocks of an assembled script that define lib names, in order, with the names each uses. */
function libBlocks(body: string, script: string) {
  const lib = body.slice(0, body.length - script.length);
  return splitLib(lib, "assembled").map((d) => ({ names: d.names, words: codeWords(d.text) }));
}

const libNames = new Set(LIB_NAMES);
const scripts = registeredScripts();

describe("the Lua library in front of each Redis script", () => {
  test("the store registers its scripts", () => {
    expect(scripts.size).toBeGreaterThan(30);
    for (const name of ["claim", "complete", "enqueue", "fail", "scheduleFire"]) expect(scripts.has(name)).toBe(true);
  });

  for (const [name, script] of scripts) {
    test(`${name}: defines every lib name it uses, before the use, and none it does not use`, () => {
      const body = withLib(script);
      expect(body.endsWith(script)).toBe(true);
      const blocks = libBlocks(body, script);
      const defined = new Set<string>();
      const used = new Set([...codeWords(script)].filter((w) => libNames.has(w)));
      for (const block of blocks) {
        for (const w of block.words) {
          if (libNames.has(w) && !block.names.includes(w)) {
            expect(defined.has(w) ? w : `${w} (used by ${block.names.join(", ")} before it is defined)`).toBe(w);
            used.add(w);
          }
        }
        block.names.forEach((n) => defined.add(n));
      }
      for (const w of codeWords(script)) if (libNames.has(w)) expect(defined.has(w) ? w : `${w} (missing)`).toBe(w);
      const unused = blocks.filter((b) => !b.names.some((n) => used.has(n))).map((b) => b.names.join(", "));
      expect(unused).toEqual([]);
      expect(blocks.map((b) => LIB_NAMES.indexOf(b.names[0]!))).toEqual(blocks.map((b) => LIB_NAMES.indexOf(b.names[0]!)).sort((a, b) => a - b));
    });
  }

  test("a script that uses little of the library gets little of it", () => {
    const claim = withLib(scripts.get("claim")!);
    expect(claim).toContain("local function job_move(");
    expect(claim).not.toContain("local function job_insert(");
    expect(claim).not.toContain("local function job_cancel(");
    const ack = withLib(scripts.get("alertAck")!);
    expect(ack).not.toContain("local function job_move(");
  });

  test("a library file that leaves the layout stops the store at start-up", () => {
    const ok = "local P = ARGV[1]\n\nlocal function a(x)\n  return P .. x\nend\n";
    expect(splitLib(ok).map((d) => d.names)).toEqual([["P"], ["a"]]);
    expect(() => splitLib("local P = 1\nP = 2\n")).toThrow(/lib.lua:2: column 0/);
    expect(() => splitLib("local function a()\n  return 1\nlocal function b() end\n")).toThrow(/lib.lua:3: a new definition before/);
    expect(() => splitLib("local function a()\n  return 1\n")).toThrow(/ends inside a local function/);
    expect(() => splitLib("local function a() return b() end\nlocal function b() return 1 end\n")).toThrow(/a uses b, defined below it/);
    expect(() => splitLib("local X = 1\nend\n")).toThrow(/closes no local function/);
  });

  test("the library's files are taken in order: a later file uses an earlier one's definitions, never the reverse", () => {
    const base = { file: "lib/base.lua", source: "local P = ARGV[1]\n" };
    const uses = { file: "lib/uses.lua", source: "-- uses P\nlocal function key(x) return P .. x end\n" };
    expect(splitLibFiles([base, uses]).map((d) => [d.names, d.uses])).toEqual([[["P"], []], [["key"], [0]]]);
    expect(() => splitLibFiles([uses, base])).toThrow(/lib\/uses.lua: key uses P, defined below it/);
    expect(() => splitLibFiles([base, { file: "lib/bad.lua", source: "local function a()\n  return 1\n" }])).toThrow(/lib\/bad.lua:\d+: the file ends inside/);
  });
});
