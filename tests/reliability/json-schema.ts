/** A small JSON Schema toolkit over an OpenAPI 3.1 document: resolve $refs, generate valid values, check answers. */
import type { Rng } from "./prng.ts";

export type Schema = Record<string, any>;
export type OpenApiDoc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };

/** Follows `#/components/schemas/…` references. */
export function resolve(doc: OpenApiDoc, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let hops = 0; s.$ref && hops < 20; hops++) s = doc.components.schemas[String(s.$ref).split("/").pop()!] ?? {};
  return s;
}

/** Values for fields whose valid form a generic generator cannot guess (cron, time zones, URLs, …), by field name. */
export type Hints = Record<string, (rng: Rng) => unknown>;

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const PATTERN_CANDIDATES = ["emails", "2026-01-05", "http://127.0.0.1:9/hook", "42", "a-b_c.d:e"];

function randomString(rng: Rng, min = 0, max = min + 12): string {
  const length = rng.between(min, Math.min(max, min + 12));
  let s = "";
  for (let i = 0; i < length; i++) s += ALNUM[rng.int(ALNUM.length)];
  return s;
}

function types(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** A small arbitrary JSON value, for schemas that accept anything (payload, result, checkpoint). */
export function anyJson(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 4 : 6)) {
    case 0: return rng.between(-1000, 1000);
    case 1: return randomString(rng, 0, 8);
    case 2: return rng.chance(0.5);
    case 3: return null;
    case 4: return Array.from({ length: rng.int(4) }, () => anyJson(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [randomString(rng, 1, 6), anyJson(rng, depth + 1)]));
  }
}

/** A value valid against the schema; `hints` wins for a field of that name. */
export function generate(doc: OpenApiDoc, schema: Schema | undefined, rng: Rng, hints: Hints = {}, name = "", depth = 0): unknown {
  if (name && hints[name]) return hints[name]!(rng);
  const s = resolve(doc, schema);
  if (s.const !== undefined) return s.const;
  if (s.enum) return rng.pick(s.enum);
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const nonNull = variants.filter((v: Schema) => resolve(doc, v).type !== "null");
    return generate(doc, rng.pick(nonNull.length ? nonNull : variants), rng, hints, name, depth);
  }
  if (s.allOf) {
    const parts = s.allOf.map((p: Schema) => resolve(doc, p));
    const merged = { type: "object", properties: Object.assign({}, ...parts.map((p: Schema) => p.properties)), required: parts.flatMap((p: Schema) => p.required ?? []) };
    return generate(doc, merged, rng, hints, name, depth);
  }
  const nonNullTypes = types(s).filter((t) => t !== "null");
  const type = nonNullTypes.length ? rng.pick(nonNullTypes) : s.properties ? "object" : undefined;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(s.required ?? []);
      for (const [key, sub] of Object.entries<Schema>(s.properties ?? {})) {
        if (required.has(key) || (depth < 3 && rng.chance(0.5))) out[key] = generate(doc, sub, rng, hints, key, depth + 1);
      }
      if (s.additionalProperties && typeof s.additionalProperties === "object" && depth < 3) {
        for (let i = rng.int(3); i > 0; i--) out[randomString(rng, 1, 8)] = generate(doc, s.additionalProperties, rng, hints, "", depth + 1);
      }
      return out;
    }
    case "array": {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 3, min + 3);
      return Array.from({ length: rng.between(min, max) }, () => generate(doc, s.items, rng, hints, "", depth + 1));
    }
    case "string": {
      if (s.format === "date-time") return new Date(Date.UTC(2026, rng.int(12), 1 + rng.int(28), rng.int(24))).toISOString();
      if (s.pattern) {
        const re = new RegExp(s.pattern, "u");
        const candidates = [s.example, ...PATTERN_CANDIDATES].filter((c) => typeof c === "string");
        return candidates.find((c) => re.test(c)) ?? randomString(rng, s.minLength ?? 1, s.maxLength);
      }
      if (typeof s.example === "string" && rng.chance(0.5)) return s.example;
      return randomString(rng, s.minLength ?? 1, s.maxLength ?? 16);
    }
    case "integer": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const max = Math.min(s.maximum ?? min + 1000, min + 1000);
      return rng.between(min, max);
    }
    case "number": {
      const min = s.minimum ?? 0;
      const max = Math.min(s.maximum ?? min + 100, min + 100);
      return min + rng.next() * (max - min);
    }
    case "boolean":
      return rng.chance(0.5);
    default:
      return anyJson(rng);
  }
}

/** Where a value breaks the schema (at most a few places), empty when it is valid. */
export function check(doc: OpenApiDoc, schema: Schema | undefined, value: unknown, path = "$", out: string[] = []): string[] {
  if (out.length >= 5) return out;
  const s = resolve(doc, schema);
  const fail = (why: string) => out.push(`${path}: ${why}`);
  if (s.const !== undefined && value !== s.const) fail(`is not ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.some((e: unknown) => e === value)) fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if (s.allOf) for (const part of s.allOf) check(doc, part, value, path, out);
  const variants = s.anyOf ?? s.oneOf;
  if (variants && !variants.some((v: Schema) => check(doc, v, value, path).length === 0)) fail("matches none of its variants");
  const allowed = types(s);
  if (allowed.length) {
    const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    const ok = allowed.some((t) => t === actual || (t === "integer" && actual === "number" && Number.isInteger(value)));
    if (!ok) return fail(`is ${actual}, expected ${allowed.join("|")}`), out;
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) fail(`${value} < minimum ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail(`${value} > maximum ${s.maximum}`);
  }
  if (typeof value === "string") {
    if (s.minLength !== undefined && value.length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && value.length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (s.pattern && !new RegExp(s.pattern, "u").test(value)) fail(`does not match ${s.pattern}`);
    if (s.format === "date-time" && Number.isNaN(Date.parse(value))) fail(`${JSON.stringify(value)} is not a date-time`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.items) value.forEach((v, i) => check(doc, s.items, v, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in record)) fail(`lacks required ${key}`);
    for (const [key, v] of Object.entries(record)) {
      const sub = s.properties?.[key];
      if (sub) check(doc, sub, v, `${path}.${key}`, out);
      else if (s.additionalProperties === false) fail(`has undocumented field ${key}`);
      else if (s.additionalProperties && typeof s.additionalProperties === "object") check(doc, s.additionalProperties, v, `${path}.${key}`, out);
    }
  }
  return out;
}
