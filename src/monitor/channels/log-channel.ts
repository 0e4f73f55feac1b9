/** The log channel: one file per severity under the data folder's logs/ (warning.log, error.log, critical.log). */
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { noticeText, type AlertChannel, type AlertNotice } from "./channel.ts";

export function logFileOf(dataDir: string, severity: string): string {
  return join(dataDir, "logs", `${severity}.log`);
}

/** Appends `<ISO time> <notice>` lines; the time is the alert's last change (fired, seen, resolved). */
export function logChannel(dataDir: string): AlertChannel {
  let ready: Promise<unknown> | null = null;
  return {
    name: "log",
    async send(notice: AlertNotice) {
      ready ??= mkdir(join(dataDir, "logs"), { recursive: true });
      await ready;
      const at = notice.kind === "resolved" ? notice.alert.resolvedAt! : notice.alert.lastSeen;
      const line = `${new Date(at).toISOString()} ${noticeText(notice)} [alert ${notice.alert.id}]\n`;
      await appendFile(logFileOf(dataDir, notice.alert.severity), line);
    },
  };
}
