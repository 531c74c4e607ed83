// Flags shared by the commands that read the manifest (--manifest, --local-tz, --format, --out) and how their output is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderRunTable, type TableColumn } from '../history/run-table.js';
import { toSafeCsv } from '../history/safe-csv.js';
import { choiceOption } from './parse-option.js';
import { usageError } from '../errors.js';
import { say, type CliIo } from './io.js';
import { checkTimeZone } from '../time/time-zone.js';
import { counted } from '../progress/counted.js';
import { manifestFromCatalog } from './catalog-manifest.js';
import { localTzOption } from './shared-options.js';

export const DEFAULT_MANIFEST = path.join('data', '02_stage', '_manifest', 'manifest.parquet');
export const FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface ManifestFlags extends CatalogFlags {
  readonly manifest: string;
  readonly manifestPath?: string;
  readonly localTz: string;
}

export interface CatalogFlags {
  readonly catalog?: string;
  readonly catalogSchema?: string;
}

/** Adds --manifest (and the Python system's --manifest-path), --catalog and --local-tz. */
export function withManifestOptions(command: Command): Command {
  return withCatalogOptions(
    command
      .option('--manifest <file>', 'the manifest Parquet file', DEFAULT_MANIFEST)
      .option('--manifest-path <file>', "the Python system's name for --manifest"),
  ).addOption(localTzOption());
}

/** Adds --catalog and --catalog-schema: read the runs from a lake's PostgreSQL catalog rather than its manifest file. */
export function withCatalogOptions(command: Command): Command {
  return command
    .option('--catalog <url>', "read the runs from the lake's PostgreSQL catalog (postgres://...; or STRATA_CATALOG) instead of its manifest file")
    .option('--catalog-schema <name>', "with --catalog: the PostgreSQL schema of the lake's tables (default strata)");
}

/** The catalog a command reads, from --catalog or STRATA_CATALOG; undefined for a manifest file. */
export function catalogOf(io: CliIo, flags: CatalogFlags): string | undefined {
  const url = flags.catalog ?? io.env['STRATA_CATALOG'];
  return url === undefined || url.trim() === '' ? undefined : url;
}

/** Adds --format and --out (and --manifest-path, the old system's name for --manifest). */
export function withOutputOptions(command: Command, formats: readonly string[] = FORMATS): Command {
  return command
    .option('--format <format>', `output format: ${formats.join(', ')}`, choiceOption(formats), 'table')
    .option('--out <file>', 'write the output to this file instead of stdout');
}

/**
 * The manifest file the command reads, resolved against the working folder, and the checked time zone. With
 * --catalog, a snapshot of the catalog's runs taken now, removed when the process ends.
 */
export async function manifestFlags(io: CliIo, flags: ManifestFlags): Promise<{ readonly file: string; readonly localTz: string }> {
  const localTz = checkTimeZone(flags.localTz);
  const file = (await catalogManifestFile(io, flags)) ?? path.resolve(io.cwd, flags.manifestPath ?? flags.manifest);
  return { file, localTz };
}

/** With --catalog (or STRATA_CATALOG), a snapshot of the catalog's runs taken now, removed when the process ends; else undefined. */
export async function catalogManifestFile(io: CliIo, flags: CatalogFlags): Promise<string | undefined> {
  const catalog = catalogOf(io, flags);
  if (catalog === undefined) return undefined;
  const snapshot = await manifestFromCatalog(catalog, { schema: flags.catalogSchema });
  process.once('exit', () => snapshot.close());
  return snapshot.file;
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
