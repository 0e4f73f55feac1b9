/** @jsxImportSource hono/jsx */
/** Server: version, store and its files, durability, data folder, limits, uptime; and, for admins, the API tokens. */
import type { ServerAbout } from "../../src/api/routes/server.ts";
import type { TokenRecord } from "../../src/core/store.ts";
import { Csrf, Action } from "../components/action.tsx";
import { Badge } from "../components/badges.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { Ago, duration } from "../components/time.tsx";
import { Flash, PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

const ROLES = ["viewer", "producer", "worker", "admin"] as const;

function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB` : `${Math.round(n / 1024)} KiB`;
}

export function TokensPanel({ tokens }: { tokens: TokenRecord[] }) {
  return (
    <section class="panel" aria-labelledby="tokens">
      <h2 id="tokens">API tokens <small>only their hashes are stored</small></h2>
      {tokens.length === 0
        ? <p class="empty">No tokens: spool is in open mode and listens on loopback only. Create one to require sign-in.</p>
        : (
          <div class="table-wrap">
            <table>
              <thead><tr><th>Name</th><th>Role</th><th>Created</th><th>Last used</th><th></th></tr></thead>
              <tbody>
                {tokens.map((t) => (
                  <tr data-token={t.id}>
                    <td>{t.name ?? <span class="hint">unnamed</span>}<span class="sub mono">{t.id}</span></td>
                    <td><Badge tone={t.role === "admin" ? "warn" : "info"}>{t.role}</Badge></td>
                    <td><Ago ms={t.createdAt} /></td>
                    <td><Ago ms={t.lastUsedAt} empty="never" /></td>
                    <td>
                      <Action to={`/server/tokens/${encodeURIComponent(t.id)}/revoke`} label="Revoke" tone="danger"
                        confirm={`Revoke ${t.name ?? t.id}? Callers using it are refused from the next request, and its dashboard sessions end.`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <h3 style="margin-top:16px">Create a token</h3>
      {tokens.length === 0 && (
        <p class="hint">The first token turns sign-in on for everyone. Make it an admin token: you stay signed in with it.</p>
      )}
      <form method="post" action="/server/tokens" hx-post="/server/tokens" hx-target="#new-token" class="filters">
        <Csrf />
        <div class="field">
          <label for="token-role">Role</label>
          <select id="token-role" name="role">{ROLES.map((r) => <option value={r}>{r}</option>)}</select>
        </div>
        <div class="field">
          <label for="token-name">Name <span class="hint">(optional)</span></label>
          <input id="token-name" name="name" maxlength={100} placeholder="e.g. billing workers" />
        </div>
        <button type="submit" class="primary">Create</button>
      </form>
      <div id="new-token" hx-morph-skip></div>
      <ApiCalls calls={[
        { path: "/v1/tokens" },
        { method: "POST", path: "/v1/tokens", body: { role: "worker", name: "billing workers" } },
        { method: "DELETE", path: "/v1/tokens/ID", note: "Revoke (ID from the list):" },
      ]} />
    </section>
  );
}

/** The answer to creating a token: shown once, with a copy button. */
export function NewToken({ token, role, name }: { token: string; role: string; name: string | null }) {
  return (
    <Flash ok>
      <p>New {role} token{name ? ` “${name}”` : ""}. Copy it now: spool keeps only its hash and cannot show it again.</p>
      <div class="curl"><pre data-new-token>{token}</pre><button type="button" class="small" data-copy>Copy</button></div>
    </Flash>
  );
}

export function ServerPage({ about, tokens }: { about: ServerAbout; tokens: TokenRecord[] | null }) {
  const ui = useUi();
  return (
    <>
      <PageHead title="Server" sub={<>spool {about.version}</>} />
      <div class="grid">
        <section class="panel" aria-labelledby="about">
          <h2 id="about">About</h2>
          <dl class="kv">
            <dt>Version</dt><dd>{about.version}</dd>
            <dt>Store</dt>
            <dd>{about.store.kind} {about.store.reachable ? <Badge tone="ok" icon="ok">reachable</Badge> : <Badge tone="bad" icon="bad">unreachable</Badge>}</dd>
            {about.store.files && (
              <>
                <dt>Files</dt>
                <dd>
                  database {bytes(about.store.files.databaseBytes)} · WAL {about.store.files.walBytes ? bytes(about.store.files.walBytes) : "empty"}
                  <span class="hint" style="display:block">the WAL holds the latest writes until they are copied into the database, about once a second</span>
                </dd>
              </>
            )}
            <dt>Durability</dt>
            <dd>{about.store.kind === "redis" ? "Redis's own persistence (appendonly, snapshots)" : about.durability === "full" ? "full (survives power loss)" : "normal (survives a crash)"}</dd>
            <dt>Data folder</dt><dd class="mono">{about.dataDir ?? "—"}</dd>
            <dt>Up for</dt><dd>{duration(about.uptimeSeconds * 1000)}</dd>
            <dt>Signed in as</dt><dd>{ui.role ?? "open mode (loopback, no tokens)"}</dd>
          </dl>
        </section>
        <section class="panel" aria-labelledby="limits">
          <h2 id="limits">Limits</h2>
          <dl class="kv">
            <dt>Request body</dt><dd>{bytes(about.limits.bodyBytes)}</dd>
            <dt>Jobs per batch</dt><dd>{about.limits.batchJobs}</dd>
            <dt>Jobs per claim</dt><dd>{about.limits.claimMax}</dd>
            <dt>Long poll</dt><dd>{duration(about.limits.waitMs)}</dd>
          </dl>
          <p class="hint" style="margin-top:12px"><a href="/docs">API reference</a> · <a href="/openapi.json">OpenAPI document</a> · <a href="/metrics">Prometheus metrics</a></p>
        </section>
      </div>
      {tokens === null
        ? <section class="panel"><h2>API tokens</h2><p class="empty">Only admins see and manage tokens.</p></section>
        : <TokensPanel tokens={tokens} />}
      <ApiCalls calls={[{ path: "/v1/server" }]} />
    </>
  );
}
