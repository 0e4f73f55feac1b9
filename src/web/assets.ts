/** The dashboard's static files, embedded in the executable: styles, its script, htmx and its SSE extension. */
import type { Hono } from "hono";
import htmx from "../../node_modules/htmx.org/dist/htmx.min.js" with { type: "file" };
import htmxSse from "../../node_modules/htmx.org/dist/ext/hx-sse.min.js" with { type: "file" };
import appScript from "../../public/app.js" with { type: "file" };
import favicon from "../../public/favicon.svg" with { type: "file" };
import style from "../../public/style.css" with { type: "file" };

const ASSETS: Record<string, { path: string; type: string }> = {
  "style.css": { path: style, type: "text/css; charset=utf-8" },
  "app.js": { path: appScript, type: "text/javascript; charset=utf-8" },
  "htmx.js": { path: htmx, type: "text/javascript; charset=utf-8" },
  "hx-sse.js": { path: htmxSse, type: "text/javascript; charset=utf-8" },
  "favicon.svg": { path: favicon, type: "image/svg+xml" },
};

/** Serves /assets/NAME; pages link them with ?v=VERSION, so a versioned link may be cached for good. */
export function registerAssets(app: Hono<any>, version: string): void {
  app.get("/assets/:name", (c) => {
    const asset = ASSETS[c.req.param("name")];
    if (!asset) return c.notFound();
    const cache = c.req.query("v") === version ? "public, max-age=31536000, immutable" : "no-cache";
    return new Response(Bun.file(asset.path), { headers: { "content-type": asset.type, "cache-control": cache } });
  });
  app.get("/favicon.ico", () => new Response(Bun.file(favicon), { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } }));
}
