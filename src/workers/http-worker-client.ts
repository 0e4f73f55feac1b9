/** The pull-worker contract over HTTP (claim, complete, fail, heartbeat) for workers outside the server process. */
import type { WorkerControl } from "./worker-registry.ts";

/** A claimed job as the API answers it (times as ISO 8601 text). */
export type ClaimedJob = {
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
  checkpoint: unknown;
  lease: { token: string; expiresAt: string };
};

/** A job just run, reported with the next claim: completed (no `error`) or failed. */
export type FinishedItem = { id: string; token: string; result?: unknown } | ({ id: string } & FailBody);

export type FinishOutcome = { id: string; outcome: "completed" | "failed" | "retrying" | "lease_lost" };

export type ClaimBody = {
  workerId: string;
  finished?: FinishedItem[];
  max: number;
  leaseMs: number;
  waitMs: number;
  name?: string;
  host?: string;
  queues?: string[];
  concurrency?: number;
};

export type FailBody = { token: string; error: { message: string; type?: string }; retry?: boolean; retryInMs?: number };

export type HeartbeatAnswer = { leaseExpiresAt: string; cancelRequested: boolean; control?: WorkerControl };

/** The job is no longer this worker's (lease expired, cancelled with force, finished or deleted). */
export const LOST = "lost" as const;

/** How long a request may go unanswered before it counts as failed (a long poll gets its wait on top). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The server's address as given, or null when it is not an http(s) URL. */
export function serverUrl(url: string): URL | null {
  const base = URL.parse(url);
  return base && (base.protocol === "http:" || base.protocol === "https:") ? base : null;
}

/** An API path under the server's address, keeping the address's own path (spool behind a proxy at /spool/). */
export function apiUrl(base: URL, path: string): URL {
  return new URL(base.pathname.replace(/\/+$/, "") + path, base);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class WorkerHttpClient {
  private readonly base: URL;

  /** Throws when `url` is not an http(s) address: asking again could not help. */
  constructor(private readonly options: { url: string; token?: string }) {
    const base = serverUrl(options.url);
    if (!base) throw new TypeError(`--url must be an http:// or https:// address like http://127.0.0.1:7070 (got ${options.url})`);
    this.base = base;
  }

  async claim(queue: string, body: ClaimBody, signal?: AbortSignal): Promise<{ jobs: ClaimedJob[]; control?: WorkerControl; finished?: FinishOutcome[] }> {
    return this.post(`/v1/queues/${encodeURIComponent(queue)}/claim`, body, signal, body.waitMs);
  }

  /** "lost" when the server refused the token (409) or forgot the job (404). */
  async complete(id: string, token: string, result: unknown): Promise<"completed" | typeof LOST> {
    return this.orLost(() => this.post(`/v1/jobs/${encodeURIComponent(id)}/complete`, { token, result }).then(() => "completed" as const));
  }

  async fail(id: string, body: FailBody): Promise<"failed" | typeof LOST> {
    return this.orLost(() => this.post(`/v1/jobs/${encodeURIComponent(id)}/fail`, body).then(() => "failed" as const));
  }

  async heartbeat(id: string, token: string, extendMs: number): Promise<HeartbeatAnswer | typeof LOST> {
    return this.orLost(() => this.post<HeartbeatAnswer>(`/v1/jobs/${encodeURIComponent(id)}/heartbeat`, { token, extendMs }));
  }

  private async orLost<T>(call: () => Promise<T>): Promise<T | typeof LOST> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof HttpError && (err.status === 409 || err.status === 404)) return LOST;
      throw err;
    }
  }

  /** A request that gets no answer within REQUEST_TIMEOUT_MS (+ `waitMs`) fails with a TimeoutError. */
  private async post<T = any>(path: string, body: unknown, signal?: AbortSignal, waitMs = 0): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS + waitMs);
    const res = await fetch(apiUrl(this.base, path), {
      method: "POST", headers, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    let data: any = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: reported below with the status.
    }
    if (!res.ok) throw new HttpError(res.status, data?.error ? `${data.error.message} (${data.error.code}, HTTP ${res.status})` : `HTTP ${res.status}: ${text.slice(0, 200)}`);
    return data as T;
  }
}
