// The flags shared by ingest, validate, load, transform and publish, resolved against the working directory here only.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { StrataError } from '../errors.js';
import { findDataset, loadDatasetRules, type DatasetRules } from '../landed/dataset-rules.js';
import { datasetsLayout } from '../landed/datasets-layout.js';
import { listLandedFiles } from '../landed/check-landed-file.js';
import { openStageDatabase, parseStageDatabaseUrl } from '../load/open-stage-database.js';
import { runPeriodScript, type ScriptStep } from '../load/run-period-script.js';
import type { StageDatabase } from '../load/stage-database.js';
import { numberOption } from './parse-option.js';
import { stageLog, type StageLog } from '../load/stage-log.js';
import type { Progress } from '../progress/progress.js';
import { printJson, progressFor, say, type CliIo, type RegisterCommand } from './io.js';
import { DEFAULT_DATA_ROOT, dataRootOption, jsonOption } from './shared-options.js';

export interface StageDatabaseFlags {
  readonly datasets: string;
  readonly dataRoot: string;
  readonly db?: string;
  readonly lockTimeout: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export interface StageContext {
  readonly rules: DatasetRules;
  readonly dataRoot: string;
  readonly db: StageDatabase;
  /** The database's meta logs, where ingest and validate record each file. */
  readonly log: StageLog;
  readonly progress: Progress;
}

export function withStageDatabaseFlags(command: Command): Command {
  return command
    .option('--datasets <file>', 'the dataset rules (YAML)', 'datasets.yml')
    .addOption(dataRootOption('landed/, stage/ and strata.duckdb').default(DEFAULT_DATA_ROOT))
    .option('--db <url>', 'duckdb:path/to/file.duckdb or a postgres:// URL (default: duckdb:<data-root>/strata.duckdb)')
    .option('--lock-timeout <seconds>', 'how long to wait for another strata process holding the database or the dataset', numberOption(0), 60)
    .addOption(jsonOption())
    .option('--quiet', 'no progress on stderr');
}

/** Reads the rules, opens and migrates the database, runs `work`, and always closes the database. */
export async function withStageDatabase<T>(io: CliIo, flags: StageDatabaseFlags, work: (context: StageContext) => Promise<T>): Promise<T> {
  const rules = await loadDatasetRules(path.resolve(io.cwd, flags.datasets));
  const dataRoot = path.resolve(io.cwd, flags.dataRoot);
  const address = parseStageDatabaseUrl(flags.db ?? `duckdb:${datasetsLayout(dataRoot).duckdbFile}`, io.cwd);
  // Said even with --quiet: a command that waits without a word looks hung.
  const db = await openStageDatabase(address, { lockTimeoutMs: flags.lockTimeout * 1000, onWait: (message) => say(io, message) });
  try {
    return await work({ rules, dataRoot, db, log: stageLog(db), progress: progressFor(io, flags) });
  } finally {
    await db.close();
  }
}

/**
 * FILE arguments: relative to the working directory, or else to landed/; none means every landed file,
 * and no landed file at all is an error said in words (before any database is opened or made).
 */
export async function landedFileArguments(io: CliIo, flags: StageDatabaseFlags, files: readonly string[]): Promise<string[]> {
  const dataRoot = path.resolve(io.cwd, flags.dataRoot);
  if (files.length === 0) {
    const found = await listLandedFiles(dataRoot);
    if (found.length > 0) return found;
    const landed = datasetsLayout(dataRoot).landed;
    throw new StrataError(
      'input',
      `no landed files under ${landed}: put the files to check there (to try the examples: mkdir -p ${flags.dataRoot} && cp -r examples/datasets/landed ${flags.dataRoot}/), or name them as arguments`,
      { landed },
    );
  }
  return files.map((file) => {
    const here = path.resolve(io.cwd, file);
    const landed = path.resolve(datasetsLayout(dataRoot).landed, file);
    return !existsSync(here) && existsSync(landed) ? landed : here;
  });
}

export const secondsSince = (start: number) => Math.round((performance.now() - start) / 10) / 100;

interface ScriptFlags extends StageDatabaseFlags {
  readonly dataset: string;
  readonly period: string;
}

/** `strata transform` and `strata publish`: the same command over a different SQL file of the dataset. */
export function registerPeriodScriptCommand(step: ScriptStep, what: string): RegisterCommand {
  return (program, { io }) => {
    withStageDatabaseFlags(
      program
        .command(step)
        .description(`Run the dataset's ${step} SQL file (${what}) for one period, in one transaction; {{period}} in it becomes the quoted period`)
        .requiredOption('--dataset <name>', 'the dataset, as named in the dataset rules')
        .requiredOption('--period <period>', 'the period: YYYY, YYYY-MM or YYYY-MM-DD'),
    ).action(async (flags: ScriptFlags) => {
      const start = performance.now();
      const result = await withStageDatabase(io, flags, ({ rules, db }) => runPeriodScript(findDataset(rules, flags.dataset), flags.period, step, db));
      say(io, `ran ${result.script} for ${result.dataset} ${result.period}`);
      if (flags.json) printJson(io, { ...result, seconds: secondsSince(start) });
    });
  };
}
