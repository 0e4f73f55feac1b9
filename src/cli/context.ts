/** Options every client command shares (--url, --token, --json), read with their SPOOL_* variables. */
import { Option, type Command } from "commander";
import { REQUEST_TIMEOUT_MS } from "../workers/http-worker-client.ts";
import { ApiClient } from "./client.ts";
import { durationBetween, envFlag } from "./parse.ts";

export type GlobalOptions = { url: string; token?: string; json?: boolean; timeout: number };

export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option("--url <url>", "spool server to talk to").env("SPOOL_URL").default("http://127.0.0.1:7070"))
    .addOption(new Option("--token <token>", "API token (Authorization: Bearer)").env("SPOOL_TOKEN"))
    .addOption(envFlag("--json", "print JSON instead of a table", "SPOOL_JSON"))
    .addOption(
      new Option("--timeout <duration>", "how long to wait for the server's answer before giving up (exit code 3)")
        .env("SPOOL_TIMEOUT").default(REQUEST_TIMEOUT_MS, "30s").argParser(durationBetween(100, 3_600_000, "100ms to 1h")),
    );
}

export function clientOf(cmd: Command): { api: ApiClient; json: boolean } {
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  return { api: new ApiClient({ url: opts.url, token: opts.token, timeoutMs: opts.timeout }), json: Boolean(opts.json) };
}
