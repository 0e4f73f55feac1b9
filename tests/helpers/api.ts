/** Assertions and shortcuts shared by the HTTP API tests: the one error shape, jobs, leases, tokens. */
import { expect } from "bun:test";
import { createToken } from "../../src/api/auth.ts";
import type { TokenRole } from "../../src/core/store.ts";
import type { TestServer } from "./server.ts";

export type Answer = { status: number; body: any; headers: Headers };

/** Asserts the status and the error body {"error": {"code", "message", "details"}}; returns the error. */
export function expectError(res: Answer, status: number, code?: string) {
  // Status and body together, so a wrong status shows what the server said.
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  const error = res.body?.error;
  expect(typeof error).toBe("object");
  expect(Object.keys(error).sort()).toEqual(["code", "details", "message"]);
  expect(typeof error.code).toBe("string");
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(error.details)).toBe(true);
  if (code !== undefined) expect(error.code).toBe(code);
  return error as { code: string; message: string; details: any[] };
}

/** The `path` of every detail of a validation error. */
export function detailPaths(error: { details: any[] }): string[] {
  return error.details.map((d) => d.path);
}

/** Enqueues one job and returns it (fails the test on anything but 201). */
export async function enqueue(server: TestServer, queue: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await server.call("POST", `/v1/queues/${queue}/jobs`, body, headers);
  expect(res.status).toBe(201);
  return res.body;
}

/** Claims jobs of a queue and returns them with their leases. */
export async function claim(server: TestServer, queue: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await server.call("POST", `/v1/queues/${queue}/claim`, { workerId: "w1", ...body }, headers);
  expect(res.status).toBe(200);
  return res.body.jobs as any[];
}

/** Enqueues one job and claims it: the job with its lease token. */
export async function activeJob(server: TestServer, queue: string, body: Record<string, unknown> = {}) {
  const job = await enqueue(server, queue, body);
  const [claimed] = await claim(server, queue);
  expect(claimed?.id).toBe(job.id);
  return claimed as any;
}

/** Counts of a queue by state. */
export async function counts(server: TestServer, queue: string) {
  const res = await server.call("GET", `/v1/queues/${queue}`);
  expect(res.status).toBe(200);
  return res.body.counts as Record<string, number>;
}

/** A new token of a role on the server's store. */
export async function tokenFor(server: TestServer, role: TokenRole): Promise<string> {
  return (await createToken(server.store, role, `test ${role}`, Date.now())).token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
