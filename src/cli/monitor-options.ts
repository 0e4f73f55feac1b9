/** `spool serve`'s monitoring flags: where alerts go and when they fire. */
import { InvalidArgumentError, Option, type Command } from "commander";
import { monitorConfig, parseThresholds, type MonitorConfig } from "../monitor/monitor-config.ts";

function webhooksArg(value: string): string[] {
  const urls = value.split(",").map((u) => u.trim()).filter(Boolean);
  for (const url of urls) {
    if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new InvalidArgumentError(`"${url}" is not an http(s) URL`);
  }
  return urls;
}

function thresholdsArg(value: string) {
  try {
    return parseThresholds(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function addMonitorOptions(command: Command): Command {
  return command
    .addOption(new Option("--alert-webhook <urls>", "comma-separated URLs that get a JSON POST (Slack-compatible) when an alert fires or resolves").env("SPOOL_ALERT_WEBHOOK").argParser(webhooksArg))
    .addOption(new Option("--alert-thresholds <json>", 'alert thresholds to change, as JSON, e.g. \'{"queueBacklog": 5000, "workerDownMs": 120000}\'').env("SPOOL_ALERT_THRESHOLDS").argParser(thresholdsArg));
}

export function monitorConfigOf(o: { alertWebhook?: string[]; alertThresholds?: ReturnType<typeof parseThresholds> }): MonitorConfig {
  return monitorConfig({ webhooks: (o.alertWebhook ?? []).map((url) => ({ url })), thresholds: o.alertThresholds });
}
