/** The operations of /openapi.json and valid requests built from their schemas, against a world of known ids. */
import { anyJson, generate, resolve, type Hints, type OpenApiDoc, type Schema } from "./json-schema.ts";
import type { Rng } from "./prng.ts";

export type Param = { name: string; in: "path" | "query" | "header"; required: boolean; schema: Schema };

export type Operation = {
  method: string;
  path: string;
  params: Param[];
  body?: Schema;
  responses: Record<string, any>;
  /** Answers without a token (`security: []`, or an empty alternative). */
  public: boolean;
};

/** One request as it goes on the wire; `body` is the raw text (or a stream, to send it without Content-Length). */
export type Request = {
  op?: Operation;
  label: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string | (() => ReadableStream<Uint8Array>);
};

/** What the requests can refer to: queues, jobs and their leases, schedules, tokens and workers made along the way. */
export type World = {
  queues: string[];
  jobIds: string[];
  leases: { id: string; token: string }[];
  schedules: string[];
  tokenIds: string[];
  workerIds: string[];
};

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content?.["application/json"]?.schema,
        responses: op.responses ?? {},
        public: Array.isArray(op.security) && (op.security.length === 0 || op.security.some((s: object) => Object.keys(s).length === 0)),
      });
    }
  }
  return ops;
}

/** Keeps a pool bounded: new entries replace random old ones once it is full. */
export function remember<T>(pool: T[], item: T, rng: Rng, max = 200): void {
  if (pool.length < max) pool.push(item);
  else pool[rng.int(max)] = item;
}

function bodyHints(world: World): Hints {
  return {
    queue: (rng) => rng.pick(world.queues),
    key: (rng) => `k${rng.int(3)}`,
    workerId: (rng) => `fuzz-worker-${rng.int(3)}`,
    // Long polls would only slow the run down; they have tests of their own.
    waitMs: () => 0,
    cron: (rng) => rng.pick(["0 4 * * *", "*/5 * * * *", "@daily", null]),
    every: (rng) => rng.pick([null, "30s", "1h"]),
    timezone: (rng) => rng.pick(["UTC", "Europe/Paris", "America/New_York"]),
    // Loopback, and nothing listens on the discard port: push deliveries fail at once.
    url: () => "http://127.0.0.1:9/hook",
    payload: (rng) => anyJson(rng),
    result: (rng) => anyJson(rng),
    checkpoint: (rng) => anyJson(rng),
  };
}

function pathValue(op: Operation, name: string, world: World, rng: Rng): string {
  if (name === "queue") return rng.pick(world.queues);
  if (name === "name") return world.schedules.length && rng.chance(0.9) ? rng.pick(world.schedules) : "no-such-schedule";
  if (name === "date") return rng.pick(["2026-01-05", "2025-12-31"]);
  if (op.path.startsWith("/v1/tokens/")) return world.tokenIds.length ? rng.pick(world.tokenIds) : "999999";
  if (op.path.startsWith("/v1/workers/")) return world.workerIds.length ? rng.pick(world.workerIds) : "no-such-worker";
  if (op.path.startsWith("/v1/alerts/")) return String(rng.between(1, 5));
  return world.jobIds.length && rng.chance(0.9) ? rng.pick(world.jobIds) : "999999";
}

/** A request the document says is valid (it may still meet a 404 or 409: ids come and go). */
export function validRequest(doc: OpenApiDoc, op: Operation, world: World, rng: Rng, auth: Record<string, string>): Request & { value?: any } {
  const hints = bodyHints(world);
  const usesLease = op.body && resolve(doc, op.body).properties?.token && op.path.includes("{id}") && world.leases.length > 0;
  const lease = usesLease ? rng.pick(world.leases) : null;
  let path = op.path;
  const query: Record<string, string> = {};
  const headers: Record<string, string> = { ...auth };
  for (const p of op.params) {
    if (p.in === "path") {
      const value = lease && p.name === "id" ? lease.id : pathValue(op, p.name, world, rng);
      path = path.replace(`{${p.name}}`, encodeURIComponent(value));
    } else if (p.required || rng.chance(0.4)) {
      const value = p.name === "last-event-id" ? String(rng.int(50)) : generate(doc, p.schema, rng, hints, p.name);
      if (value === null || value === undefined) continue;
      if (p.in === "query") query[p.name] = String(value);
      else headers[p.name] = String(value);
    }
  }
  if (!op.body) return { op, label: "valid", method: op.method, path, query, headers };
  const value = generate(doc, op.body, rng, hints) as any;
  if (lease) value.token = lease.token;
  if (Array.isArray(value?.items) && world.leases.length) {
    value.items = value.items.map((item: any) => ({ ...item, ...rng.pick(world.leases) }));
  }
  headers["content-type"] = "application/json";
  return { op, label: "valid", method: op.method, path, query, headers, body: JSON.stringify(value), value };
}

export function urlOf(base: string, req: Pick<Request, "path" | "query">): string {
  const qs = new URLSearchParams(req.query).toString();
  return base + req.path + (qs ? `?${qs}` : "");
}
