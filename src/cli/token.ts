/** `spool token create|ls|revoke`: work straight on the data folder, so they work before the first start and beside a running server. */
import { Command, Option } from "commander";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { TOKEN_ROLES, type Store, type TokenRole } from "../core/store.ts";
import { isoOrNull } from "../api/iso.ts";
import { CliError } from "./client.ts";
import { print, table } from "./output.ts";

const dataOption = () => new Option("--data <dir>", "data folder").env("SPOOL_DATA").default("./spool-data");

/**
 * Opens the data folder's store for one command and closes it afterwards. The store is
 * imported here, not at the top, so `--help` and client commands never load it. Only
 * `create` makes a new data folder; the others refuse a folder without a database.
 */
async function withStore<T>(data: string, create: boolean, run: (store: Store) => Promise<T>): Promise<T> {
  const dir = resolve(data);
  const path = join(dir, "spool.db");
  if (create) mkdirSync(dir, { recursive: true });
  else if (!existsSync(path)) throw new CliError(`no spool database in ${dir}; pass --data or set SPOOL_DATA to the server's data folder`);
  const { SqliteStore } = await import("../store/sqlite/sqlite-store.ts");
  const store = new SqliteStore({ path });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}


/** A time for the table, to the minute, in UTC like the JSON. */
const shortTime = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z");

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("API tokens");
  token
    .command("create")
    .description("create a token and print it once (only its hash is stored)")
    .addOption(new Option("--role <role>", "what the token may do").choices(TOKEN_ROLES).makeOptionMandatory())
    .option("--name <name>", "a label to recognise the token by")
    .addOption(dataOption())
    .action(async (o, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals().json);
      const { createToken } = await import("../api/auth.ts");
      const created = await withStore(o.data, true, (store) => createToken(store, o.role as TokenRole, o.name ?? null, Date.now()));
      print(json, { token: created.token, id: created.id, role: created.role, name: created.name }, () =>
        [`${created.token}`, "", `role ${created.role}. Keep it now: spool stores only its hash and cannot show it again.`].join("\n"),
      );
    });

  token
    .command("ls")
    .description("list tokens with their role, creation and last use (never the tokens themselves)")
    .addOption(dataOption())
    .action(async (o, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals().json);
      const tokens = await withStore(o.data, false, (store) => store.tokensList());
      const rows = tokens.map((t) => ({ id: t.id, name: t.name, role: t.role, createdAt: isoOrNull(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt) }));
      print(json, rows, () =>
        table(tokens, [
          { header: "id", value: (t) => t.id },
          { header: "name", value: (t) => t.name },
          { header: "role", value: (t) => t.role },
          { header: "created", value: (t) => shortTime(t.createdAt) },
          { header: "last used", value: (t) => shortTime(t.lastUsedAt) },
        ]),
      );
    });

  token
    .command("revoke <id>")
    .description("revoke a token at once: it is refused from the next request on, and its dashboard sessions end")
    .addOption(dataOption())
    .action(async (id: string, o, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals().json);
      const revoked = await withStore(o.data, false, (store) => store.tokenRevoke({ id, now: Date.now() }));
      if (!revoked) throw new CliError(`no token ${id}; \`spool token ls\` lists them`);
      print(json, { id, revoked: true }, () => `${id} revoked`);
    });
}
