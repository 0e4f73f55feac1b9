/** Hostile variants of a valid request: wrong types, missing and extra fields, odd text, deep nesting, extreme numbers and dates, huge bodies, meta-characters, header abuse, wrong methods. */
import { resolve, type OpenApiDoc, type Schema } from "./json-schema.ts";
import type { Request } from "./operations.ts";
import type { Rng } from "./prng.ts";

type Valid = Request & { value?: any };

export type MutationContext = {
  /** A viewer's Authorization header. */
  viewer: Record<string, string>;
  /** The methods the document gives a path template. */
  methodsOf(path: string): string[];
};

export type Mutation = {
  name: string;
  /** Every request it makes must be refused (4xx) and change nothing: these form the snapshot batches. */
  refused: boolean;
  make(doc: OpenApiDoc, req: Valid, rng: Rng, ctx: MutationContext): Request | null;
};

export const BODY_LIMIT = 1024 * 1024;
export const ODD_TEXT = ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u202eevil\u202c", "😀🧵", "\ufeff", "e\u0301\u0301\u0301", "\u200b", "𝕊𝕡𝕠𝕠𝕝", "\r\n", "\u2028"];
export const META = ["%", "_", "'", '"', "\\", "../", "%2e%2e/", "*", "a%b_c", "' OR 1=1 --", "%00", "..", "./.", "q/../../x", "%%%", "\\..\\"];
const BAD_DATES = ["10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "+275760-09-13T00:00:00.000Z", "-000001-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "0000-00-00T00:00:00Z", "2026-01-01T25:61:61Z"];
const BAD_DAYS = ["2026-02-30", "99999-01-01", "2026-13-01", "0000-01-01", "2026-1-1", "10000-01-01", "2026-02-29"];
const NUMBERS = ["1e309", "-1e309", "-0", "9007199254740993", "1e-400", "1E+99999", "123456789012345678901234567890", "0.1e1", "-9223372036854775809"];
const QUEUE_NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

function withBody(req: Valid, body: string | Request["body"], label: string, headers: Record<string, string> = {}): Request {
  return { ...req, label, headers: { ...req.headers, "content-type": "application/json", ...headers }, body };
}

function properties(doc: OpenApiDoc, req: Valid): [string, Schema][] {
  return req.op?.body ? Object.entries<Schema>(resolve(doc, req.op.body).properties ?? {}).map(([k, s]) => [k, resolve(doc, s)]) : [];
}

const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** A value of none of the allowed types. */
function wrongTypeFor(types: string[], rng: Rng): unknown {
  const candidates: [string, unknown][] = [["string", 12345], ["number", "12"], ["integer", "7"], ["boolean", "yes"], ["object", [1]], ["array", { a: 1 }], ["null", 0]];
  const values = [12345, "12", true, [1], { a: 1 }, 1.5];
  const fits = (v: unknown) => types.some((t) =>
    t === (Array.isArray(v) ? "array" : typeof v) || (t === "integer" && Number.isInteger(v)) || (t === "number" && typeof v === "number"));
  const bad = values.filter((v) => !fits(v));
  return bad.length ? rng.pick(bad) : candidates[0]![1];
}

const JSON_FIELDS = ["payload", "result", "checkpoint"];

export const MUTATIONS: Mutation[] = [
  { name: "no token", refused: true, make: (_d, r) => (r.op?.public ? null : { ...r, label: "no token", headers: withoutAuth(r.headers) }) },
  {
    name: "wrong token", refused: true,
    make: (_d, r, rng) => (r.op?.public ? null : { ...r, label: "wrong token", headers: { ...withoutAuth(r.headers), authorization: rng.pick(["Bearer spool_nope", "Bearer " + "x".repeat(5000), "Basic YWRtaW46YWRtaW4=", "Bearer", "Token abc", "Bearer a b", "Digest username=a"]) } }),
  },
  {
    name: "viewer writes", refused: true,
    make: (_d, r, _rng, ctx) => (r.method === "GET" ? null : { ...r, label: "viewer writes", headers: { ...r.headers, ...ctx.viewer } }),
  },
  {
    name: "wrong type", refused: true,
    make: (d, r, rng) => {
      const typed = properties(d, r).filter(([, s]) => typesOf(s).length > 0);
      if (!typed.length || !r.value) return null;
      const [key, s] = rng.pick(typed);
      return withBody(r, JSON.stringify({ ...r.value, [key]: wrongTypeFor(typesOf(s), rng) }), `wrong type ${key}`);
    },
  },
  {
    name: "missing field", refused: true,
    make: (d, r, rng) => {
      const required: string[] = r.op?.body ? (resolve(d, r.op.body).required ?? []) : [];
      if (!required.length || !r.value) return null;
      const key = rng.pick(required);
      const { [key]: _gone, ...rest } = r.value;
      return withBody(r, JSON.stringify(rest), `missing ${key}`);
    },
  },
  {
    name: "extra field", refused: true,
    make: (d, r, rng) => {
      if (!r.op?.body || resolve(d, r.op.body).additionalProperties !== false || !r.value) return null;
      return withBody(r, JSON.stringify({ ...r.value, [rng.pick(["zz", "__proto__x", "constructor", "is_admin"])]: 1 }), "extra field");
    },
  },
  {
    name: "malformed JSON", refused: true,
    make: (_d, r, rng) => (r.op?.body ? withBody(r, rng.pick(["{", "[1,", "nul", '"', "{'a':1}", "{\"a\":}", "{}{}", "\u0000", "[" .repeat(5000)]), "malformed JSON") : null),
  },
  {
    name: "not JSON", refused: true,
    make: (_d, r, rng) => (r.op?.body ? withBody(r, r.body as string, "not JSON", { "content-type": rng.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"]) }) : null),
  },
  {
    name: "deep nesting", refused: true,
    make: (d, r, rng) => {
      const fields = properties(d, r).filter(([k]) => JSON_FIELDS.includes(k)).map(([k]) => k);
      if (!fields.length || !r.value) return null;
      const key = rng.pick(fields);
      const text = JSON.stringify({ ...r.value, [key]: "@@DEEP@@" }).replace('"@@DEEP@@"', rng.chance(0.5) ? deep(10_000) : `{"a":${deep(rng.between(101, 3000))}}`);
      return withBody(r, text, `deep ${key}`);
    },
  },
  {
    name: "1e309 in JSON", refused: true,
    make: (d, r, rng) => {
      const fields = properties(d, r).filter(([k]) => JSON_FIELDS.includes(k)).map(([k]) => k);
      if (!fields.length || !r.value) return null;
      const key = rng.pick(fields);
      const text = JSON.stringify({ ...r.value, [key]: "@@N@@" }).replace('"@@N@@"', rng.pick(["1e309", "-1e309", '{"n":[1E+99999]}']));
      return withBody(r, text, `1e309 in ${key}`);
    },
  },
  {
    name: "impossible date", refused: true,
    make: (d, r, rng) => {
      const dates = properties(d, r).filter(([, s]) => s.format === "date-time").map(([k]) => k);
      if (!dates.length || !r.value) return null;
      const key = rng.pick(dates);
      return withBody(r, JSON.stringify({ ...r.value, [key]: rng.pick(BAD_DATES) }), `bad date ${key}`);
    },
  },
  {
    name: "huge body", refused: true,
    make: (_d, r, rng) => {
      if (!r.op?.body) return null;
      const size = BODY_LIMIT + rng.between(1, 64 * 1024);
      const text = `{"payload":"${"x".repeat(size)}"}`;
      if (rng.chance(0.5)) return withBody(r, text, "huge body");
      const bytes = new TextEncoder().encode(text);
      return withBody(r, () => new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 256 * 1024) controller.enqueue(bytes.subarray(at, at + 256 * 1024));
          controller.close();
        },
      }), "huge chunked body");
    },
  },
  {
    name: "wrong method", refused: true,
    make: (_d, r, rng, ctx) => {
      if (!r.op) return null;
      const taken = ctx.methodsOf(r.op.path);
      const method = rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].filter((m) => !taken.includes(m)));
      return { ...r, label: `wrong method ${method}`, method, body: method === "GET" ? undefined : r.body };
    },
  },
  {
    name: "bad queue name", refused: true,
    make: (_d, r, rng) => {
      if (!r.op?.path.includes("{queue}")) return null;
      const name = rng.pick([...META, "a".repeat(129), ...ODD_TEXT].filter((n) => !QUEUE_NAME.test(n)));
      return { ...r, label: "bad queue name", path: r.op.path.replace("{queue}", encodeSegment(name)).replace(/\{(\w+)\}/g, "1") };
    },
  },
  // The rest may be accepted (odd text is still text): they must never 500, and any answer must be well formed.
  {
    name: "odd unicode", refused: false,
    make: (d, r, rng) => {
      const strings = properties(d, r).filter(([, s]) => typesOf(s).includes("string") || typesOf(s).length === 0).map(([k]) => k);
      const query = Object.keys(r.query);
      const odd = rng.pick(ODD_TEXT) + rng.pick(ODD_TEXT);
      if (strings.length && r.value && rng.chance(0.7)) return withBody(r, JSON.stringify({ ...r.value, [rng.pick(strings)]: odd }), "odd unicode body");
      if (query.length) return { ...r, label: "odd unicode query", query: { ...r.query, [rng.pick(query)]: odd } };
      return null;
    },
  },
  {
    name: "meta-characters", refused: false,
    make: (d, r, rng) => {
      const meta = rng.pick(META);
      const names = properties(d, r).filter(([k]) => ["key", "name", "queue", "idempotencyKey", "workerId"].includes(k)).map(([k]) => k);
      const searchable = (r.op?.params ?? []).filter((p) => p.in === "query" && typeof p.schema === "object").map((p) => p.name);
      if (searchable.length && rng.chance(0.5)) return { ...r, label: "meta query", query: { ...r.query, [rng.pick(searchable)]: meta } };
      if (names.length && r.value) return withBody(r, JSON.stringify({ ...r.value, [rng.pick(names)]: meta }), "meta body");
      const param = r.op?.path.match(/\{(\w+)\}/)?.[1];
      if (param) return { ...r, label: "meta path", path: r.op!.path.replace(`{${param}}`, rng.chance(0.5) ? encodeURIComponent(meta) : meta.replaceAll("/", "%2f")).replace(/\{(\w+)\}/g, "1") };
      return null;
    },
  },
  {
    name: "extreme numbers", refused: false,
    make: (d, r, rng) => {
      const numeric = properties(d, r).filter(([k, s]) => typesOf(s).some((t) => t === "integer" || t === "number") || JSON_FIELDS.includes(k)).map(([k]) => k);
      const token = rng.pick(NUMBERS);
      if (numeric.length && r.value) {
        const key = rng.pick(numeric);
        return withBody(r, JSON.stringify({ ...r.value, [key]: "@@N@@" }).replace('"@@N@@"', token), `number ${token} in ${key}`);
      }
      const query = (r.op?.params ?? []).filter((p) => p.in === "query").map((p) => p.name);
      return query.length ? { ...r, label: "number in query", query: { ...r.query, [rng.pick(query)]: token } } : null;
    },
  },
  {
    name: "odd dates in queries and paths", refused: false,
    make: (_d, r, rng) => {
      if (r.op?.path.includes("{date}")) return { ...r, label: "bad report date", path: r.op.path.replace("{date}", rng.pick(BAD_DAYS)) };
      const dated = (r.op?.params ?? []).filter((p) => p.in === "query" && p.schema?.format === "date-time").map((p) => p.name);
      return dated.length ? { ...r, label: "bad query date", query: { ...r.query, [rng.pick(dated)]: rng.pick([...BAD_DATES, ...BAD_DAYS]) } } : null;
    },
  },
  {
    name: "header abuse", refused: false,
    make: (_d, r, rng) => {
      const abuse = rng.pick<Record<string, string>>([
        { "x-filler": "a".repeat(rng.between(4_000, 12_000)) },
        { "last-event-id": rng.pick(["abc", "-1", "99999999999999999999", "1e3", " ", "1,2"]) },
        { "idempotency-key": "k".repeat(rng.between(256, 2000)) },
        { "content-type": "application/json; charset=utf-16" },
        { "accept": "text/html" },
        { "x-forwarded-for": "127.0.0.1, 10.0.0.1" },
      ]);
      return { ...r, label: `header ${Object.keys(abuse)[0]}`, headers: { ...r.headers, ...abuse } };
    },
  },
];

function withoutAuth(headers: Record<string, string>): Record<string, string> {
  const { authorization: _a, ...rest } = headers;
  return rest;
}

/** encodeURIComponent, except that a lone surrogate is sent as its (invalid) UTF-8 bytes instead of throwing. */
function encodeSegment(text: string): string {
  let out = "";
  for (const ch of text) {
    const u = ch.charCodeAt(0);
    if (ch.length === 1 && u >= 0xd800 && u <= 0xdfff) {
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}
