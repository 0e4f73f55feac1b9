/** The CLI's HTTP client: one call per API route, errors turned into readable messages. */

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export type ClientOptions = { url: string; token?: string };

export class ApiClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(new URL(path, this.options.url), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(`cannot reach spool at ${this.options.url} (${(err as Error).message}); is \`spool serve\` running? Set --url or SPOOL_URL.`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: any;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`unexpected answer from ${this.options.url} (HTTP ${res.status}): ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const e = data?.error;
      throw new CliError(e ? `${e.message} (${e.code}, HTTP ${res.status})` : `HTTP ${res.status}`);
    }
    return data as T;
  }
}
