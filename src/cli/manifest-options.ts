// Flags shared by the commands that read the manifest (--manifest, --local-tz, --format, --out) and how their output is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderRunTable, type TableColumn } from '../history/run-table.js';
import { toSafeCsv } from '../history/safe-csv.js';
import { choiceOption } from './parse-option.js';
import { usageError } from '../errors.js';
import { say, type CliIo } from './io.js';
import { checkTimeZone, DEFAULT_LOCAL_TZ } from '../time/time-zone.js';
import { counted } from '../progress/counted.js';

export const DEFAULT_MANIFEST = path.join('data', '02_stage', '_manifest', 'manifest.parquet');
export const FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface ManifestFlags {
  readonly manifest: string;
  readonly manifestPath?: string;
  readonly localTz: string;
}

/** Adds --manifest (and the Python system's --manifest-path) and --local-tz. */
export function withManifestOptions(command: Command): Command {
  return command
    .option('--manifest <file>', 'the manifest Parquet file', DEFAULT_MANIFEST)
    .option('--manifest-path <file>', "the Python system's name for --manifest")
    .option('--local-tz <zone>', 'IANA time zone for local dates and times', DEFAULT_LOCAL_TZ);
}

/** Adds --format and --out (and --manifest-path, the old system's name for --manifest). */
export function withOutputOptions(command: Command, formats: readonly string[] = FORMATS): Command {
  return command
    .option('--format <format>', `output format: ${formats.join(', ')}`, choiceOption(formats), 'table')
    .option('--out <file>', 'write the output to this file instead of stdout');
}

/** The manifest path resolved against the working folder, and the checked time zone. */
export function manifestFlags(io: CliIo, flags: ManifestFlags): { readonly file: string; readonly localTz: string } {
  return { file: path.resolve(io.cwd, flags.manifestPath ?? flags.manifest), localTz: checkTimeZone(flags.localTz) };
}

export interface RunOutput {
  readonly format: OutputFormat;
  readonly out?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * With `--json` the summary is the one stdout line, so the runs need `--out`, except a table, which is for people
 * and goes to stderr. Checked before any work is done.
 */
export function checkRunOutput(options: RunOutput): void {
  if (options.json && options.out === undefined && options.format !== 'table') {
    throw usageError(`--format ${options.format} with --json needs --out FILE: with --json the summary is the only line on stdout`);
  }
}

/** Writes runs as a table, CSV (spreadsheet-safe) or a JSON array, to stdout or to `--out` (a table to stderr with --json). */
export function writeRuns(
  io: CliIo,
  options: RunOutput,
  view: { readonly title: string; readonly table: readonly TableColumn[]; readonly csvColumns: readonly string[] },
  runs: readonly Readonly<Record<string, unknown>>[],
): void {
  const width = (io.stdout as { columns?: number }).columns ?? 120;
  const text =
    options.format === 'table'
      ? renderRunTable(view.title, view.table, runs, options.out ? Number.MAX_SAFE_INTEGER : width)
      : options.format === 'csv'
        ? toSafeCsv(runs, view.csvColumns)
        : `${JSON.stringify(runs)}\n`;
  if (options.out === undefined) {
    checkRunOutput(options);
    (options.json ? io.stderr : io.stdout).write(text);
    return;
  }
  const file = path.resolve(io.cwd, options.out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  say(io, `wrote ${counted(runs.length, 'run')} to ${file}`);
}
