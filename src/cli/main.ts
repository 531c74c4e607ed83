// The CLI: a thin shell over the library. Parses flags, runs one command, turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { StrataError, isDiskFull, messageOf } from '../errors.js';
import { commandAliases, commands } from './commands/index.js';
import { endQuietlyWhenStdoutCloses, processIo, say, type CliIo, type CommandContext, type RegisterCommand } from './io.js';
import { packageVersion } from '../version.js';

/**
 * The commands to register: the one named on the command line, loaded; with none named (`--help`, `--version`,
 * a typo) each command is only its name and summary, so start-up loads no library module.
 */
async function loadCommands(argv: readonly string[]): Promise<RegisterCommand[]> {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const entry = named === undefined ? undefined : commands[commandAliases[named] ?? named];
  if (entry) return [await entry.load()];
  if (named === 'help') return Promise.all(Object.values(commands).map((c) => c.load()));
  return Object.entries(commands).map(([name, { summary }]) => (program) => {
    program.command(name).description(summary);
  });
}

export function buildProgram(context: CommandContext, registers: readonly RegisterCommand[]): Command {
  const { io } = context;
  const program = new Command('strata')
    .description('Turn raw instrument files into a clean, queryable Parquet lake with an authoritative manifest.')
    .version(packageVersion())
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {}, // main() prints the one line itself
    });
  for (const register of registers) register(program, context);
  for (const sub of program.commands) {
    sub.aliases(Object.entries(commandAliases).filter(([, name]) => name === sub.name()).map(([alias]) => alias));
  }
  // Subcommands inherit exit and output behaviour.
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });
  }
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  endQuietlyWhenStdoutCloses(io.stdout);
  try {
    const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) }, await loadCommands(argv));
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return 0; // --help, --version
    // No command named: commander has printed the help to stderr; a missing command is a usage error.
    if (error.code === 'commander.help') {
      say(io, 'strata: name a command (strata <command> --help lists its flags).');
      return 2;
    }
    say(io, `strata: ${error.message.replace(/^error: /, '')}`);
    return 2;
  }
  if (error instanceof StrataError) {
    say(io, `strata: ${error.message}`);
    return error.exitCode;
  }
  if (isDiskFull(error)) {
    say(io, `strata: a disk is full (${messageOf(error)}); free some space and run again.`);
    return 1;
  }
  say(io, `strata: unexpected failure: ${messageOf(error)}`);
  if (error instanceof Error && error.stack && io.env['STRATA_DEBUG']) say(io, error.stack);
  return 1;
}
