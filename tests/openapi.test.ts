/** The OpenAPI 3.1 document (valid, complete, errors documented) and the Scalar reference served without a CDN. */
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "./helpers/server.ts";

let server: TestServer;
let doc: any;

beforeAll(async () => {
  server = await startTestServer();
  const res = await server.call("GET", "/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => server.close());

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/** Every documented operation as "METHOD /path/{param}". */
function documented(): { key: string; path: string; method: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] })),
  );
}

/** The documentation itself is served beside the document, not described in it. */
const UNDOCUMENTED = new Set(["GET /openapi.json", "GET /docs", "GET /docs/scalar.js"]);
/** Answers that stream until the client leaves: only their status is read. */
const STREAMS = new Set(["GET /v1/events"]);

describe("/openapi.json for client generators and linters", () => {
  test("every operation has a stable, unique camelCase operationId and a declared tag", () => {
    const ids = documented().map(({ key, op }) => ({ key, id: op.operationId as string | undefined }));
    expect(ids.filter(({ id }) => !id || !/^[a-z][a-zA-Z0-9]*$/.test(id))).toEqual([]);
    expect(new Set(ids.map(({ id }) => id)).size).toBe(ids.length);
    const declared = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const { key, op } of documented()) expect({ key, tags: op.tags.filter((t: string) => !declared.has(t)) }).toEqual({ key, tags: [] });
    expect(ids.find(({ key }) => key === "POST /v1/queues/{queue}/jobs")?.id).toBe("enqueueJob");
    expect(ids.find(({ key }) => key === "POST /v1/queues/{queue}/claim")?.id).toBe("claimJobs");
  });

  test("public operations say security: [], the others name Bearer; it names its servers and license; each operation declares a 4xx", () => {
    for (const { key, op } of documented()) {
      if (key === "GET /healthz" || key === "GET /readyz") expect({ key, security: op.security }).toEqual({ key, security: [] });
      else expect({ key, bearer: op.security?.some((s: object) => "Bearer" in s) }).toEqual({ key, bearer: true });
      if (key !== "GET /healthz") expect({ key, has4xx: Object.keys(op.responses).some((code) => code.startsWith("4") || code === "503") }).toEqual({ key, has4xx: true });
    }
    expect(doc.servers).toEqual([{ url: "/", description: "This spool server" }]);
    expect(doc.info.license.name).toBe("MIT");
  });
});

describe("/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  test("every route of the app's API and probes is documented", () => {
    const keys = new Set(documented().map((d) => d.key));
    const served = server.app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`)
      .filter((key) => !UNDOCUMENTED.has(key))
      // The dashboard's HTML pages and assets are not part of the JSON API.
      .filter((key) => /^[A-Z]+ \/(v1\/|healthz|readyz|metrics)/.test(key));
    const missing = [...new Set(served)].filter((key) => !keys.has(key));
    expect(missing).toEqual([]);
    for (const key of ["POST /v1/queues/{queue}/jobs", "POST /v1/queues/{queue}/claim", "POST /v1/jobs/complete", "GET /healthz", "GET /readyz"]) {
      expect(keys.has(key)).toBe(true);
    }
  });

  test("every documented operation is served", async () => {
    for (const { key, path, method } of documented()) {
      const url = path.replace("{queue}", "q").replace("{id}", "1").replace("{name}", "n");
      if (STREAMS.has(key)) {
        const res = await fetch(server.url + url);
        expect({ key, status: res.status }).toEqual({ key, status: 200 });
        await res.body?.cancel();
        continue;
      }
      const res = await server.call(method.toUpperCase(), url, method === "get" || method === "delete" ? undefined : {});
      const unrouted = res.status === 404 && /no route/.test(res.body?.error?.message ?? "");
      expect({ key, unrouted }).toEqual({ key, unrouted: false });
    }
  });

  test("every operation has a summary and a tag", () => {
    for (const { key, op } of documented()) {
      expect({ key, summary: typeof op.summary === "string" && op.summary.length > 5 }).toEqual({ key, summary: true });
      expect({ key, tagged: Array.isArray(op.tags) && op.tags.length > 0 }).toEqual({ key, tagged: true });
    }
  });

  test("shared schemas are not nullable: a field that may be null says so where it is used", () => {
    const nullable = Object.entries<any>(doc.components.schemas)
      .filter(([, c]) => JSON.stringify(c.type ?? "").includes("null") || (c.anyOf ?? c.oneOf ?? []).some((s: any) => s.type === "null"))
      .map(([name]) => name);
    expect(nullable).toEqual([]);
    expect(doc.components.schemas.HeartbeatRequest.properties.progress).toEqual({ $ref: "#/components/schemas/Progress" });
    expect(doc.components.schemas.Job.properties.progress.anyOf.at(-1)).toEqual({ type: "null" });
  });

  test("every /v1 operation documents its error answers with the one error schema", () => {
    const errorRef = "#/components/schemas/Error";
    expect(doc.components.schemas.Error.properties.error.required.sort()).toEqual(["code", "details", "message"]);
    for (const { key, path, method, op } of documented().filter((d) => d.path.startsWith("/v1/"))) {
      const expected = [400, 401, 403, 405, 429, 503];
      if (op.requestBody) expected.push(413, 415);
      if (path.startsWith("/v1/jobs/{id}")) expected.push(404);
      if (path.startsWith("/v1/jobs/{id}") && method !== "get") expected.push(409);
      for (const status of expected) {
        const schema = op.responses[String(status)]?.content?.["application/json"]?.schema;
        expect({ key, status, schema: schema?.$ref }).toEqual({ key, status, schema: errorRef });
      }
      expect({ key, bearer: op.security }).toEqual({ key, bearer: [{ Bearer: [] }] });
    }
    expect(doc.components.securitySchemes.Bearer).toEqual({ type: "http", scheme: "bearer" });
  });

  test("the public probes say so with security: [] (DESIGN §6), so clients and fuzzers know they need no token", () => {
    expect(doc.paths["/healthz"].get.security).toEqual([]);
    expect(doc.paths["/readyz"].get.security).toEqual([]);
  });
});

describe("/docs", () => {
  test("serves the Scalar page, which loads its script from this server and names no CDN", async () => {
    const res = await fetch(server.url + "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('<script src="/docs/scalar.js"></script>');
    expect(page).toContain("/openapi.json");
    expect(page).not.toMatch(/cdn\.|jsdelivr|unpkg|<script[^>]+src="https?:/i);
  });

  test("/docs/scalar.js is served as JavaScript from the binary", async () => {
    const res = await fetch(server.url + "/docs/scalar.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    const script = await res.arrayBuffer();
    expect(script.byteLength).toBeGreaterThan(1024 * 1024);
  });
});
