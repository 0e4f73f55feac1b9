/**
 * Writes clients/typescript/src/api-types.ts from spool's OpenAPI document: every
 * components.schemas entry as a type, plus the query, body and answer of each operation the
 * client calls. Run `bun clients/typescript/scripts/generate-types.ts` after changing the API;
 * tests/client-typescript.test.ts fails while the committed file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../../../tests/helpers/server.ts";

/** The operations the client calls, by operationId: their query, body and answer get named types. */
export const CLIENT_OPERATIONS = [
  "enqueueJob", "enqueueJobs", "listJobs", "getJob", "cancelJob", "retryJob", "deleteJob",
  "claimJobs", "completeJob", "failJob", "heartbeatJob",
  "listQueues", "getQueue", "configureQueue", "pauseQueue", "resumeQueue",
  "listSchedules", "getSchedule", "createSchedule", "putSchedule", "deleteSchedule", "triggerSchedule",
  "getStats", "getHealth",
];

export const API_TYPES_PATH = join(import.meta.dir, "..", "src", "api-types.ts");

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  description?: string;
};

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema: Schema; description?: string }[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};

type Document = { components: { schemas: Record<string, Schema> }; paths: Record<string, Record<string, Operation>> };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Schema names that would hide a global of the same name where they are imported: they get a `Body` suffix (Error → ErrorBody). */
const GLOBALS = new Set(["Error", "Object", "Array", "Date", "Promise", "Record", "Response", "Request"]);
const typeName = (schema: string) => (GLOBALS.has(schema) ? `${schema}Body` : schema);

/** A JSDoc comment at `indent`, or nothing. */
function doc(text: string | undefined, indent: string): string {
  if (!text) return "";
  const lines = text.replace(/\*\//g, "*\\/").split("\n");
  return lines.length === 1 ? `${indent}/** ${lines[0]} */\n` : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

/** Wraps a union or intersection so it can stand in an array or another intersection. */
const grouped = (ts: string) => (/^[\w.<>[\]"]+$/.test(ts) || ts.startsWith("{") && ts.endsWith("}") ? ts : `(${ts})`);

function objectType(s: Schema, indent: string): string {
  const props = Object.entries(s.properties ?? {});
  const extra = typeof s.additionalProperties === "object" ? typeOf(s.additionalProperties, indent) : null;
  if (props.length === 0) return `Record<string, ${extra ?? "unknown"}>`;
  const inner = indent + "  ";
  const required = new Set(s.required ?? []);
  const lines = props.map(([name, p]) => `${doc(p.description, inner)}${inner}${IDENTIFIER.test(name) ? name : JSON.stringify(name)}${required.has(name) ? "" : "?"}: ${typeOf(p, inner)};\n`);
  const body = `{\n${lines.join("")}${indent}}`;
  return extra ? `${body} & Record<string, ${extra}>` : body;
}

/** The TypeScript type a JSON Schema (as @hono/zod-openapi writes them) describes. */
export function typeOf(s: Schema, indent = ""): string {
  if (s.$ref) return typeName(s.$ref.replace("#/components/schemas/", ""));
  if (s.allOf) return s.allOf.map((x) => grouped(typeOf(x, indent))).join(" & ");
  const union = s.anyOf ?? s.oneOf;
  if (union) return [...new Set(union.map((x) => typeOf(x, indent)))].join(" | ");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(s.type)) return s.type.map((t) => typeOf({ ...s, type: t }, indent)).join(" | ");
  switch (s.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `Array<${s.items ? typeOf(s.items, indent) : "unknown"}>`;
    case "object":
      return objectType(s, indent);
    default:
      return s.properties ? objectType(s, indent) : "unknown";
  }
}

const pascal = (id: string) => id[0]!.toUpperCase() + id.slice(1);

function operationTypes(path: string, method: string, op: Operation): string {
  const name = pascal(op.operationId);
  const where = `${op.operationId} (${method.toUpperCase()} ${path})`;
  let out = "";
  const query = (op.parameters ?? []).filter((p) => p.in === "query");
  if (query.length > 0) {
    const schema: Schema = { type: "object", properties: {}, required: [] };
    for (const p of query) {
      schema.properties![p.name] = { ...p.schema, description: p.description ?? p.schema.description };
      if (p.required) schema.required!.push(p.name);
    }
    out += `/** Query of ${where}. */\nexport type ${name}Query = ${typeOf(schema)};\n\n`;
  }
  const body = op.requestBody?.content?.["application/json"]?.schema;
  if (body) out += `/** Request body of ${where}. */\nexport type ${name}Body = ${typeOf(body)};\n\n`;
  const answers = Object.entries(op.responses)
    .filter(([status]) => status.startsWith("2"))
    .map(([, r]) => r.content?.["application/json"]?.schema)
    .filter((s): s is Schema => s !== undefined);
  if (answers.length > 0) out += `/** Success answer of ${where}. */\nexport type ${name}Response = ${[...new Set(answers.map((s) => typeOf(s)))].join(" | ")};\n\n`;
  return out;
}

/** The whole api-types.ts for a document. */
export function renderApiTypes(document: Document): string {
  let out =
    "/**\n * Request and response types of spool's HTTP API, generated from its /openapi.json by\n" +
    " * clients/typescript/scripts/generate-types.ts. Do not edit: run the script again.\n */\n\n";
  for (const [name, schema] of Object.entries(document.components.schemas)) out += `${doc(schema.description, "")}export type ${typeName(name)} = ${typeOf(schema)};\n\n`;
  const wanted = new Set(CLIENT_OPERATIONS);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) if (wanted.delete(op.operationId)) out += operationTypes(path, method, op);
  }
  if (wanted.size > 0) throw new Error(`operations missing from the document: ${[...wanted].join(", ")}`);
  return out.trimEnd() + "\n";
}

/** The document as a fresh in-process server serves it. */
export async function loadOpenApiDocument(): Promise<Document> {
  const server = await startTestServer();
  try {
    const res = await server.call("GET", "/openapi.json");
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return res.body as Document;
  } finally {
    await server.close();
  }
}

if (import.meta.main) {
  writeFileSync(API_TYPES_PATH, renderApiTypes(await loadOpenApiDocument()));
  console.log(`wrote ${API_TYPES_PATH}`);
}
