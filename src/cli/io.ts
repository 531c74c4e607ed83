// What a command may touch of the outside world: its output streams, passed in so tests can capture them.
import type { Command } from 'commander';
import { lineProgress, silentProgress, terminalProgress, type Progress } from '../progress/progress.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** What main() hands every command: the streams, and a way to set the exit code (1 = findings, 2 = usage). */
export interface CommandContext {
  readonly io: CliIo;
  setExitCode(code: number): void;
}

/** What each command module exports: it declares its command, flags and action on the program. */
export type RegisterCommand = (program: Command, context: CommandContext) => void;

/**
 * A reader that closed stdout (`strata inspect-manifest --format csv | head -1`) has all it wanted: the rest of
 * the output is dropped and the command ends as it would have, with no EPIPE trace. Other stream errors stay errors.
 */
export function endQuietlyWhenStdoutCloses(stdout: NodeJS.WritableStream): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** A message for people: stderr, one line. */
export function say(io: CliIo, line: string): void {
  io.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
}

/** The `--json` summary: one JSON object as the last stdout line. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
}

/** A bar on a terminal, plain lines otherwise, nothing with --quiet. */
export function progressFor(io: CliIo, options: { readonly quiet?: boolean }): Progress {
  if (options.quiet) return silentProgress;
  if (io.stderr.isTTY) return terminalProgress(io.stderr as NodeJS.WriteStream);
  return lineProgress((line) => say(io, line));
}
