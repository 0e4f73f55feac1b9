/**
 * `spool token create|ls|revoke`: work straight on the store — the data folder's database, or
 * Redis with --redis — so they work before the first start and beside running servers.
 */
import { Command, Option } from "commander";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { TOKEN_ROLES, type Store, type TokenRole } from "../core/store.ts";
import { isoOrNull } from "../core/iso-time.ts";
import { CannotStart } from "../core/errors.ts";
import { CliError, UsageError } from "./client.ts";
import { print, table } from "./output.ts";
import { addRedisOptions, redisChoiceOf, type RedisChoice, type RedisFlags } from "./redis-options.ts";

/** How long a token command waits for Redis before it gives up. */
const REDIS_WAIT_MS = 5000;

/** --data, or the Redis flags, on a token command. */
function storeOptions(command: Command): Command {
  return addRedisOptions(command.addOption(new Option("--data <dir>", "data folder (unless --redis)").env("SPOOL_DATA").default("./spool-data")));
}

type StoreFlags = RedisFlags & { data: string };

/**
 * Opens the store for one command and closes it afterwards. The store is imported here, not
 * at the top, so `--help` and client commands never load it. Only `create` makes a new data
 * folder; the others refuse a folder without a database.
 */
async function withStore<T>(o: StoreFlags, create: boolean, run: (store: Store) => Promise<T>): Promise<T> {
  const redis = redisChoiceOf(o);
  const store = redis ? await openRedis(redis) : await openDataFolder(o.data, create);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function openDataFolder(data: string, create: boolean): Promise<Store> {
  // As spool serve does: a folder and database this creates (tokens before the first start) are the owner's only.
  process.umask(0o077);
  const dir = resolve(data);
  const path = join(dir, "spool.db");
  if (create) makeDataFolder(dir);
  else if (!existsSync(path)) throw new UsageError(`no spool database in ${dir}; pass --data or set SPOOL_DATA to the server's data folder`);
  const { openStore } = await import("../store/open-store.ts");
  try {
    return await openStore({ kind: "sqlite", path });
  } catch (err) {
    if (err instanceof CannotStart) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Makes the data folder, saying so: a token made in a folder the server does not use would be refused by it. */
function makeDataFolder(dir: string): void {
  if (existsSync(dir)) return;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot make the data folder ${dir}: ${(err as Error).message}`);
  }
  console.error(`spool: created the data folder ${dir}; start the server with --data ${dir} (or SPOOL_DATA) for it to know this token`);
}

async function openRedis(redis: NonNullable<RedisChoice>): Promise<Store> {
  const { openStore, redisConnectionOf } = await import("../store/open-store.ts");
  let store: Store;
  try {
    store = await openStore({ kind: "redis", ...redis });
  } catch (err) {
    if (err instanceof CannotStart) throw new CliError(err.message, 2);
    throw err;
  }
  const connection = redisConnectionOf(store)!;
  if (!(await connection.firstContact(REDIS_WAIT_MS))) {
    await store.close();
    throw new CliError(`cannot reach Redis at ${connection.address} (${connection.problem})`);
  }
  return store;
}


/** A time for the table, to the minute, in UTC like the JSON. */
const shortTime = (ms: number | null) => (ms === null ? "never" : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z");

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("API tokens");
  storeOptions(
    token
      .command("create")
      .description("create a token and print it once (only its hash is stored)")
      .addOption(new Option("--role <role>", "what the token may do").choices(TOKEN_ROLES).makeOptionMandatory())
      .option("--name <name>", "a label to recognise the token by"),
  ).action(async (o, cmd: Command) => {
    const json = Boolean(cmd.optsWithGlobals().json);
    const { createToken } = await import("../api/auth.ts");
    const created = await withStore(o, true, (store) => createToken(store, o.role as TokenRole, o.name ?? null, Date.now()));
    print(json, { token: created.token, id: created.id, role: created.role, name: created.name }, () =>
      [`${created.token}`, "", `role ${created.role}. Keep it now: spool stores only its hash and cannot show it again.`].join("\n"),
    );
  });

  storeOptions(token.command("ls").description("list tokens with their role, creation and last use (never the tokens themselves)")).action(
    async (o, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals().json);
      const tokens = await withStore(o, false, (store) => store.tokensList());
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
    },
  );

  storeOptions(
    token.command("revoke <id>").description("revoke a token at once: it is refused from the next request on, and its dashboard sessions end"),
  ).action(async (id: string, o, cmd: Command) => {
    const json = Boolean(cmd.optsWithGlobals().json);
    const revoked = await withStore(o, false, (store) => store.tokenRevoke({ id, now: Date.now() }));
    if (!revoked) throw new CliError(`no token ${id}; \`spool token ls\` lists them`);
    print(json, { id, revoked: true }, () => `${id} revoked`);
  });
}
