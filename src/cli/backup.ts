/** `spool backup [FILE]`: a consistent copy of the server's database, written to a local file. */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "./client.ts";
import { clientOf } from "./context.ts";
import { print } from "./output.ts";

export function registerBackupCommand(program: Command): void {
  program
    .command("backup [file]")
    .description("download a consistent copy of the server's SQLite database (default: spool-backup-<time>.db here)")
    .action(async (file: string | undefined, _o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      const target = file ?? `spool-backup-${new Date().toISOString().replace(/[:.]/g, "-")}.db`;
      if (existsSync(target)) throw new UsageError(`${target} already exists; name another file`);
      const bytes = await api.download("POST", "/v1/admin/backup", target);
      print(json, { file: target, bytes }, () => `wrote ${bytes} bytes to ${target}`);
    });
}
