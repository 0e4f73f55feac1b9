/** The CLI's HTTP client: one call per API route, errors turned into readable messages. */
import { closeSync, openSync, rmSync } from "node:fs";
import { apiUrl, REQUEST_TIMEOUT_MS, serverUrl } from "../workers/http-worker-client.ts";

/** The exit code of a client command that could not reach the server (a refusal is 1). */
export const UNREACHABLE_EXIT = 3;

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The command line asks for something that cannot be done as written: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

export type ClientOptions = { url: string; token?: string; timeoutMs?: number };

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body, this.options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    if (res.status === 204) return undefined as T;
    return (await this.parse(res)) as T;
  }

  /**
   * Writes the answer's body to `file` (a download, not JSON), a new file readable by its owner
   * only (a backup holds every payload); resolves with the bytes written.
   */
  async download(method: string, path: string, file: string): Promise<number> {
    const res = await this.send(method, path);
    try {
      closeSync(openSync(file, "wx", 0o600));
    } catch (err) {
      throw new UsageError(`cannot create ${file}: ${(err as Error).message}`);
    }
    try {
      return await Bun.write(file, res);
    } catch (err) {
      rmSync(file, { force: true });
      throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
    }
  }

  /**
   * Sends one request; an answer other than 2xx becomes a CliError with the server's message. A
   * server that does not answer within `timeoutMs` counts as unreachable (a download waits as long as it takes).
   */
  private async send(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    const base = serverUrl(this.options.url);
    if (!base) throw new UsageError(`--url must be an http:// or https:// address like http://127.0.0.1:7070 (got ${this.options.url})`);
    try {
      res = await fetch(apiUrl(base, path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const why = (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs! / 1000} s` : (err as Error).message;
      throw new CliError(`cannot reach spool at ${this.options.url} (${why}); is \`spool serve\` running? Set --url or SPOOL_URL.`, UNREACHABLE_EXIT);
    }
    if (res.ok) return res;
    const e = (await this.parse(res))?.error;
    const hint = res.status === 401 ? "; give a token with --token or SPOOL_TOKEN (spool token create makes one)" : "";
    throw new CliError(e ? `${e.message} (${e.code}, HTTP ${res.status})${hint}` : `HTTP ${res.status}${hint}`);
  }

  private async parse(res: Response): Promise<any> {
    const text = await res.text();
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`unexpected answer from ${this.options.url} (HTTP ${res.status}): ${text.slice(0, 200)}`);
    }
  }
}
