/** Options every client command shares (--url, --token, --json), read with their SPOOL_* variables. */
import { Option, type Command } from "commander";
import { ApiClient } from "./client.ts";
import { envFlag } from "./parse.ts";

export type GlobalOptions = { url: string; token?: string; json?: boolean };

export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option("--url <url>", "spool server to talk to").env("SPOOL_URL").default("http://127.0.0.1:7070"))
    .addOption(new Option("--token <token>", "API token (Authorization: Bearer)").env("SPOOL_TOKEN"))
    .addOption(envFlag("--json", "print JSON instead of a table", "SPOOL_JSON"));
}

export function clientOf(cmd: Command): { api: ApiClient; json: boolean } {
  const opts = cmd.optsWithGlobals() as GlobalOptions;
  return { api: new ApiClient({ url: opts.url, token: opts.token }), json: Boolean(opts.json) };
}
