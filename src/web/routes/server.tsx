/** @jsxImportSource hono/jsx */
/** /server: what GET /v1/server tells, and token management for admins (list, create, revoke). */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { aboutServer } from "../../api/routes/server.ts";
import { sessionCookie } from "../../api/sessions.ts";
import { validationFailed } from "../../core/errors.ts";
import { TOKEN_ROLES, type TokenRole } from "../../core/store.ts";
import { NewToken, ServerPage } from "../../../views/pages/server.tsx";
import { allow, may } from "../../api/auth.ts";
import { act, formOf, fragment, page } from "../render.tsx";

export function registerServer(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { auth } = deps;
  web.get("/server", async (c) => {
    const admin = may(c.get("principal"), "admin");
    const [about, tokens] = await Promise.all([aboutServer(deps), admin ? auth.listTokens() : null]);
    return page(c, deps, "Server", <ServerPage about={about} tokens={tokens} />);
  });

  web.post("/server/tokens", allow("admin"), async (c) => {
    const form = await formOf(c);
    const role = form.role as TokenRole;
    if (!TOKEN_ROLES.includes(role)) throw validationFailed(`role must be one of ${TOKEN_ROLES.join(", ")}`);
    const name = form.name?.trim().slice(0, 100) || null;
    const created = await auth.createToken(role, name);
    // The first admin token turns sign-in on: whoever made it in open mode stays signed in with it.
    if (c.get("principal").via === "open" && role === "admin") {
      const session = await auth.openSession({ tokenId: created.id, role });
      if (session) c.header("set-cookie", sessionCookie(c, session.id, session.maxAgeMs));
    }
    const shown = <NewToken token={created.token} role={created.role} name={created.name} />;
    if (!c.req.header("hx-request")) {
      const [about, tokens] = await Promise.all([aboutServer(deps), auth.listTokens()]);
      return page(c, deps, "Server", <>{shown}<ServerPage about={about} tokens={tokens} /></>, 201);
    }
    return fragment(c, deps, shown, 201, { "HX-Trigger": "spool:changed" });
  });

  web.post("/server/tokens/:id/revoke", allow("admin"), (c) =>
    act(c, deps, async () => {
      await auth.revokeToken(c.req.param("id"));
      return `Revoked token ${c.req.param("id")}; its sessions have ended.`;
    }),
  );
}
