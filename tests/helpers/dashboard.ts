/** Plain HTTP against the dashboard: sign in with a token, keep the session cookie, post forms with the CSRF token. */
import type { TestServer } from "./server.ts";

export type WebAnswer = { status: number; text: string; headers: Headers };

export class DashboardSession {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly server: TestServer) {}

  /** POST /login with the token; keeps the cookie. Returns the answer. */
  async signIn(token: string, next?: string): Promise<WebAnswer> {
    const form = new URLSearchParams({ token, ...(next ? { next } : {}) });
    const res = await this.request("POST", "/login", form);
    const cookie = res.headers.get("set-cookie")?.match(/spool_session=([^;]*)/)?.[1];
    if (cookie) this.cookie = `spool_session=${cookie}`;
    return res;
  }

  /** GET a page; remembers the CSRF token its forms carry. */
  async get(path: string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    const res = await this.request("GET", path, undefined, headers);
    this.csrf = res.text.match(/X-CSRF-Token&quot;:&quot;([0-9a-f]+)&quot;/)?.[1] ?? this.csrf;
    return res;
  }

  /** POST a dashboard form (with the CSRF field unless `csrf` is null), as htmx would unless `htmx` is false. */
  async post(path: string, fields: Record<string, string> = {}, o: { csrf?: string | null; htmx?: boolean; headers?: Record<string, string> } = {}) {
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    const form = new URLSearchParams({ ...fields, ...(csrf ? { _csrf: csrf } : {}) });
    return this.request("POST", path, form, { ...(o.htmx === false ? {} : { "hx-request": "true" }), ...o.headers });
  }

  async request(method: string, path: string, body?: URLSearchParams | string, headers: Record<string, string> = {}): Promise<WebAnswer> {
    const res = await fetch(this.server.url + path, {
      method,
      redirect: "manual",
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body instanceof URLSearchParams ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...headers,
      },
      body,
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }
}
