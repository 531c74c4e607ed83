// Flags shared by the commands that read the manifest (--manifest, --local-tz, --format, --out) and how their output is written.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderRunTable, type TableColumn } from '../history/run-table.js';
import { toSafeCsv } from '../history/safe-csv.js';
import { choiceOption } from './parse-option.js';
import { say, type CliIo } from './io.js';
import { checkTimeZone, DEFAULT_LOCAL_TZ } from '../time/time-zone.js';
import { counted } from '../progress/counted.js';

export const DEFAULT_MANIFEST = path.join('data', '02_stage', '_manifest', 'manifest.parquet');
export const FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface ManifestFlags {
  readonly manifest: string;
  readonly localTz: string;
}

/** Adds --manifest and --local-tz. */
export function withManifestOptions(command: Command): Command {
  return command
    .option('--manifest <file>', 'the manifest Parquet file', DEFAULT_MANIFEST)
    .option('--local-tz <zone>', 'IANA time zone for local dates and times', DEFAULT_LOCAL_TZ);
}

/** Adds --format and --out. */
export function withOutputOptions(command: Command): Command {
  return command
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choiceOption(FORMATS), 'table')
    .option('--out <file>', 'write the output to this file instead of stdout');
}

/** The manifest path resolved against the working folder, and the checked time zone. */
export function manifestFlags(io: CliIo, flags: ManifestFlags): { readonly file: string; readonly localTz: string } {
  return { file: path.resolve(io.cwd, flags.manifest), localTz: checkTimeZone(flags.localTz) };
}

/** Writes runs as a table, CSV (spreadsheet-safe) or a JSON array, to stdout or to `--out`. */
export function writeRuns(
  io: CliIo,
  options: { readonly format: OutputFormat; readonly out?: string | undefined },
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
    io.stdout.write(text);
    return;
  }
  const file = path.resolve(io.cwd, options.out);
  writeFileSync(file, text);
  say(io, `wrote ${counted(runs.length, 'run')} to ${file}`);
}
