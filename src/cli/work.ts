/** `spool work QUEUE --exec CMD`: turn any command into a worker. */
import { Command, Option } from "commander";
import { serverUrl } from "../workers/http-worker-client.ts";
import { CliError, UsageError } from "./client.ts";
import type { GlobalOptions } from "./context.ts";
import { keepIdleMemoryLow } from "./idle-memory.ts";
import { durationArg, durationBetween, intBetween } from "./parse.ts";

const concurrencyArg = intBetween(1, 1000);
const leaseArg = durationBetween(1000, 3_600_000, "1s to 1h");

export function registerWorkCommand(program: Command): void {
  program
    .command("work <queue>")
    .description("run a command for each job of a queue (a pull worker over HTTP)")
    .addOption(new Option("--exec <cmd>", "shell command to run per job").env("SPOOL_EXEC").makeOptionMandatory())
    .addOption(new Option("--concurrency <n>", "commands running at once").env("SPOOL_CONCURRENCY").default(1).argParser(concurrencyArg))
    .addOption(new Option("--lease <duration>", "lease per claim, extended by heartbeats while the command runs").env("SPOOL_LEASE").default(30_000, "30s").argParser(leaseArg))
    .addOption(new Option("--grace <duration>", "on SIGTERM, how long running commands get to finish").env("SPOOL_GRACE").default(30_000, "30s").argParser(durationArg))
    .addOption(new Option("--name <name>", "name shown in GET /v1/workers").env("SPOOL_WORKER_NAME"))
    .addHelpText(
      "after",
      `
Each job's payload is written as JSON to the command's stdin; SPOOL_JOB_ID, SPOOL_ATTEMPT and
SPOOL_QUEUE are set in its environment. Exit 0 completes the job (stdout that is JSON becomes
the result, other text is kept as text); any other exit fails the attempt with the tail of
stderr as the message and exit_<code> as the error type. A cancelled or timed-out job's
command is killed (its whole process group). SIGTERM, SIGINT or SIGHUP stops claiming, lets running
commands finish within --grace and gives back the rest; a second signal gives them back at once.

Example:  spool work thumbnails --exec 'jq -r .path | xargs convert-thumb' --concurrency 4`,
    )
    .action(async (queue: string, o, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const { ExecWorker } = await import("../workers/exec-worker.ts");
      if (!serverUrl(globals.url)) throw new UsageError(`--url must be an http:// or https:// address like http://127.0.0.1:7070 (got ${globals.url})`);
      const worker = new ExecWorker({
        url: globals.url, token: globals.token, queue, command: o.exec, concurrency: o.concurrency, leaseMs: o.lease, graceMs: o.grace, name: o.name,
      });
      keepIdleMemoryLow();
      let signals = 0;
      const onSignal = (signal: string) => (++signals === 1 ? worker.stop(`${signal} received`) : worker.releaseAll());
      process.on("SIGTERM", () => onSignal("SIGTERM"));
      process.on("SIGINT", () => onSignal("SIGINT"));
      // A closed terminal or ssh session: the commands run in their own process groups and would not hear it.
      process.on("SIGHUP", () => onSignal("SIGHUP"));
      await worker.run();
      if (worker.fatal) throw new CliError(worker.fatal, 2);
      process.exit(0);
    });
}
