/** @jsxImportSource hono/jsx */
/** /queues/{queue}/settings: the config form, saved through QueueService.putQueue like PUT /v1/queues/{queue}; only admins change it or see the push target's secrets. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { SpoolError } from "../../core/errors.ts";
import { QueueSettingsPage, SettingsForm, type SettingsValues } from "../../../views/pages/queue-settings.tsx";
import { allow, queueAsSeenBy } from "../../api/auth.ts";
import { formOf, fragment, page } from "../render.tsx";
import { fieldErrors, readSettings, settingsValues } from "./queue-settings-form.ts";

export function registerQueueSettings(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { service } = deps;

  web.get("/queues/:queue/settings", async (c) => {
    const queue = await service.getQueue(c.req.param("queue"));
    const shown = queueAsSeenBy(c.get("principal"), queue);
    return page(c, deps, `Settings of ${queue.name}`, <QueueSettingsPage queue={queue.name} values={settingsValues(shown)} errors={{}} />);
  });

  web.post("/queues/:queue/settings", allow("admin"), async (c) => {
    const current = await service.getQueue(c.req.param("queue"));
    const form = await formOf(c);
    const values: SettingsValues = Object.fromEntries(Object.keys(settingsValues(current)).map((name) => [name, form[name] ?? ""]));
    const htmx = Boolean(c.req.header("hx-request"));
    try {
      const saved = await service.putQueue(current.name, readSettings(values, current));
      if (!htmx) return c.redirect(`/queues/${encodeURIComponent(current.name)}/settings`, 303);
      return fragment(c, deps, <SettingsForm queue={current.name} values={settingsValues(saved)} errors={{}} saved />, 200, { "HX-Trigger": "spool:changed" });
    } catch (err) {
      if (!(err instanceof SpoolError) || err.status !== 400) throw err;
      const errors = fieldErrors(err);
      if (!htmx) return page(c, deps, `Settings of ${current.name}`, <QueueSettingsPage queue={current.name} values={values} errors={errors} />, 400);
      return fragment(c, deps, <SettingsForm queue={current.name} values={values} errors={errors} />, 400);
    }
  });
}
