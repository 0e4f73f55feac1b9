/** `spool token create`: writes straight to the data folder, so it works before the first start. */
import { Command, Option } from "commander";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { TOKEN_ROLES, type TokenRole } from "../core/store.ts";
import { print } from "./output.ts";

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("API tokens");
  token
    .command("create")
    .description("create a token and print it once (only its hash is stored)")
    .addOption(new Option("--role <role>", "what the token may do").choices(TOKEN_ROLES).makeOptionMandatory())
    .option("--name <name>", "a label to recognise the token by")
    .addOption(new Option("--data <dir>", "data folder").env("SPOOL_DATA").default("./spool-data"))
    .action(async (o, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals().json);
      const [{ createToken }, { SqliteStore }] = await Promise.all([import("../api/auth.ts"), import("../store/sqlite/sqlite-store.ts")]);
      const dir = resolve(o.data);
      mkdirSync(dir, { recursive: true });
      const store = new SqliteStore({ path: join(dir, "spool.db") });
      try {
        const created = await createToken(store, o.role as TokenRole, o.name ?? null, Date.now());
        print(json, { token: created.token, id: created.id, role: created.role, name: created.name }, () =>
          [`${created.token}`, "", `role ${created.role}. Keep it now: spool stores only its hash and cannot show it again.`].join("\n"),
        );
      } finally {
        await store.close();
      }
    });
}
