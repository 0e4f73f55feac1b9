#!/usr/bin/env bun
/** spool's entry point: parse the command line and run one command. */
import { Command, type CommanderError } from "commander";
import { registerBackupCommand } from "./cli/backup.ts";
import { CliError } from "./cli/client.ts";
import { addGlobalOptions } from "./cli/context.ts";
import { terminalSafe } from "./cli/output.ts";
import { registerJobCommands } from "./cli/job.ts";
import { registerQueueCommands } from "./cli/queue.ts";
import { registerReportCommands } from "./cli/report.ts";
import { registerScheduleCommands } from "./cli/schedule.ts";
import { registerServeCommand } from "./cli/serve.ts";
import { registerStatusCommands } from "./cli/status.ts";
import { registerTokenCommands } from "./cli/token.ts";
import { registerWorkCommand } from "./cli/work.ts";
import { VERSION } from "./version.ts";

/**
 * Commander's own refusals (an unknown command or option, a missing or wrong argument) exit 2,
 * as every other bad usage does; help and --version exit 0.
 */
function exitOnCommanderError(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? 0 : 2);
}

try {
  const program = new Command("spool")
    .description("A durable job queue in one executable.")
    .version(VERSION)
    .showHelpAfterError()
    .enablePositionalOptions(false)
    .exitOverride(exitOnCommanderError);
  addGlobalOptions(program);
  registerServeCommand(program);
  registerJobCommands(program);
  registerQueueCommands(program);
  registerScheduleCommands(program);
  registerTokenCommands(program);
  registerWorkCommand(program);
  registerStatusCommands(program);
  registerReportCommands(program);
  registerBackupCommand(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    console.error(`spool: ${terminalSafe(err.message, true)}`);
    process.exit(err.exitCode);
  }
  throw err;
}
