/** The webhook channel: a JSON POST per notice with a Slack-compatible `text`, retried with backoff. */
import type { WebhookDelivery, WebhookTarget } from "../monitor-config.ts";
import { noticeText, renderAlert, type AlertChannel, type AlertNotice } from "./channel.ts";

export class WebhookFailed extends Error {}

/** Worth another try: the receiver was unreachable, slow, overloaded or asked to retry. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export function webhookBody(notice: AlertNotice) {
  return { text: noticeText(notice), event: `alert.${notice.kind}`, alert: renderAlert(notice.alert) };
}

export function webhookChannel(target: WebhookTarget, delivery: WebhookDelivery): AlertChannel {
  return {
    name: `webhook ${new URL(target.url).host}`,
    async send(notice: AlertNotice) {
      const body = JSON.stringify(webhookBody(notice));
      let lastError = "";
      for (let attempt = 1; attempt <= delivery.attempts; attempt++) {
        if (attempt > 1) await Bun.sleep(delivery.retryDelayMs * 2 ** (attempt - 2));
        try {
          const res = await fetch(target.url, {
            method: "POST",
            headers: { "content-type": "application/json", "user-agent": "spool", ...target.headers },
            body,
            signal: AbortSignal.timeout(delivery.timeoutMs),
          });
          await res.arrayBuffer();
          if (res.ok) return;
          lastError = `answered ${res.status}`;
          if (!retryable(res.status)) break;
        } catch (err) {
          lastError = (err as Error).message;
        }
      }
      throw new WebhookFailed(`webhook ${target.url}: ${lastError}`);
    },
  };
}
