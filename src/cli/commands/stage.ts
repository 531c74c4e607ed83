// `strata stage`: raw instrument files -> partitioned Parquet lake + manifest (CONTRACT.md).
import path from 'node:path';
import { Option, type Command } from 'commander';
import { labLayout } from '../../pipeline/run-lab-pipeline.js';
import { loadStagingConfig, type StagingConfigSources } from '../../config/staging-config.js';
import { STAGING_FIELDS, STAGING_OPTIONS, WORKERS_RANGE, type OptionKind, type StagingField } from '../../config/staging-options.js';
import { stageRawFiles, type StageSummary } from '../../pipeline/stage-raw-files.js';
import { watchRawFiles } from '../../pipeline/watch-raw-files.js';
import { stageThroughCatalog, type CatalogRole, type CatalogStageSummary } from '../../pipeline/stage-through-catalog.js';
import { hostname } from 'node:os';
import { isUrlLocation } from '../../lake/lake-layout.js';
import { s3SettingsFromEnvironment } from '../../storage/s3/s3-settings.js';
import type { StagingConfig } from '../../config/staging-config.js';
import { choiceOption, integerOption, numberOption } from '../parse-option.js';
import { printJson, progressFor, say, type CliIo, type RegisterCommand } from '../io.js';
import { counted, perSecond } from '../../progress/counted.js';
import { userCacheDir } from '../../schema/cached-catalog.js';
import { jsonOption } from '../shared-options.js';

/** What commander hands a staging command: the staging options under their flags' attribute names, and the CLI's own. */
export interface StageFlags {
  readonly [attribute: string]: unknown;
  readonly polarsThreads?: number;
  readonly config?: string;
  readonly breakLock?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Flag values commander checks itself, so a bad one is a usage line naming the flag. */
const FLAG_PARSERS: Partial<Record<OptionKind, (text: string) => number>> = { workers: integerOption(WORKERS_RANGE.min, WORKERS_RANGE.max), count: integerOption(1, Number.MAX_SAFE_INTEGER), seconds: numberOption(0) };

function stagingFlag(field: StagingField): Option {
  const { flag, help, kind } = STAGING_OPTIONS[field];
  const option = new Option(flag, help);
  const parse = FLAG_PARSERS[kind];
  return parse === undefined ? option : option.argParser(parse);
}

/** The staging flags, shared by `stage` and `pipeline`. */
export function addStagingOptions(command: Command): Command {
  for (const field of STAGING_FIELDS) {
    command.addOption(stagingFlag(field));
    const alias = STAGING_OPTIONS[field].alias;
    if (alias !== undefined) command.option(alias.flag, alias.help);
  }
  return command
    .option('--polars-threads <n>', 'the Python system\'s flag: accepted and unused (strata has no Polars; see --workers)', integerOption(1, 1024))
    .option('--config <file>', 'a YAML file of these options (keys as the flag names); flags win, then STRATA_* variables')
    .option('--break-lock', "take the lake's stage lock even if another run seems to hold it (only when that run is dead)")
    .addOption(jsonOption('the summary (with --watch, also one line per file as it ends)'))
    .option('--quiet', 'no progress and no messages, only errors');
}

/** A staging option's value as given on the command line (its alias wins, as in the Python system). */
function flagValue(flags: StageFlags, field: StagingField) {
  const alias = STAGING_OPTIONS[field].alias;
  const value = (alias === undefined ? undefined : flags[new Option(alias.flag).attributeName()]) ?? flags[stagingFlag(field).attributeName()];
  return value as StagingConfigSources['flags'][StagingField];
}

export function stagingConfigFrom(flags: StageFlags, io: CliIo, defaults?: { rawRoot: string; stageRoot: string }) {
  return loadStagingConfig({
    defaults,
    flags: Object.fromEntries(STAGING_FIELDS.map((field) => [field, flagValue(flags, field)])),
    configFile: flags.config,
    env: io.env,
    cwd: io.cwd,
  });
}

function labLayoutDefaults(io: CliIo): { rawRoot: string; stageRoot: string } {
  const layout = labLayout(path.resolve(io.cwd, 'data'));
  return { rawRoot: layout.raw, stageRoot: layout.stageRoot };
}

/** The Python system's flags strata accepts but has no use for, said once. */
export function warnUnusedFlags(io: CliIo, flags: StageFlags): void {
  if (flags.polarsThreads !== undefined && !flags.quiet) say(io, 'note: --polars-threads is accepted for the Python system\'s scripts and unused (strata has no Polars; see --workers)');
}

interface WatchFlags {
  readonly watch?: boolean;
  readonly pollMs?: number;
  readonly statusSeconds?: number;
}

interface CatalogFlags {
  readonly role?: CatalogRole;
  readonly lease?: number;
  readonly batch?: number;
  readonly catalogSchema?: string;
}

/** A watcher's status line, one per interval (a local or a catalog watcher's status). */
function sayStatus(io: CliIo, s: { readonly at: string; readonly staged: number; readonly rejected: number; readonly waiting: number; readonly lagSeconds: number | null }): void {
  say(io, `${s.at}  staged ${s.staged}, rejected ${s.rejected}, waiting ${s.waiting}${s.lagSeconds === null ? '' : `, lag ${s.lagSeconds.toFixed(1)} s`}`);
}

/** Stops at SIGINT or SIGTERM after the files in hand: the signal handlers for as long as `work` runs. */
async function untilSignal<T>(io: CliIo, quiet: boolean | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const onSignal = () => {
    if (!quiet) say(io, 'Stopping: finishing the files in hand...');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `stage --catalog`: this process discovers and/or stages for a lake kept in PostgreSQL, with as many others as run. */
async function stageWithCatalog(io: CliIo, config: StagingConfig, url: string, flags: StageFlags & WatchFlags & CatalogFlags): Promise<CatalogStageSummary> {
  const { openCatalog } = await import('../../catalog/open-catalog.js');
  const catalog = await openCatalog(url, { ...(flags.catalogSchema === undefined ? {} : { schema: flags.catalogSchema }), applicationName: 'strata stage' });
  const stager = `${hostname()}-${process.pid}`;
  try {
    return await untilSignal(io, flags.quiet, (signal) => {
      // Said once the signals are handled: a supervisor that stops the stager as soon as it says so stops it cleanly.
      if (!flags.quiet && flags.watch) say(io, `Watching ${config.rawRoot} as ${stager} for the catalog at ${catalog.where} (Ctrl+C to stop).`);
      return stageThroughCatalog(config, {
        catalog,
        stager,
        signal,
        watch: flags.watch ?? false,
        role: flags.role,
        leaseSeconds: flags.lease,
        batch: flags.batch,
        pollMs: flags.pollMs,
        statusMs: (flags.statusSeconds ?? 10) * 1000,
        catalogCaches: [userCacheDir(io.env)],
        s3: isUrlLocation(config.stageRoot) ? s3SettingsFromEnvironment(io.env) : undefined,
        onEvent: flags.json && flags.watch ? (event) => printJson(io, event) : undefined,
        onStatus: flags.quiet
          ? undefined
          : (s) => sayStatus(io, s),
      });
    });
  } finally {
    await catalog.close();
  }
}

function reportCatalogStage(io: CliIo, summary: CatalogStageSummary): void {
  const rate = perSecond(summary.ok, summary.seconds, 'files');
  say(io, `Staged ${counted(summary.ok, 'file')} (${counted(summary.rows, 'row')}) in ${summary.seconds.toFixed(2)} s${rate ? ` (${rate})` : ''}; ${summary.unchanged} unchanged, ${summary.rejected} rejected, ${summary.queued} newly queued.`);
  if (summary.refused > 0) say(io, `${counted(summary.refused, 'attempt')} counted for nothing: another stager's attempt at the same file was the one recorded.`);
  if (summary.swept > 0) say(io, `Removed ${counted(summary.swept, 'data file')} that no run names (attempts that did not count).`);
  for (const reject of summary.rejects.slice(0, 10)) say(io, `  rejected: ${reject.error}`);
  say(io, `Manifest snapshot: ${summary.manifest} (${summary.roundTrips} round trips to PostgreSQL)`);
}

/** `stage --watch`: runs until SIGINT or SIGTERM, a status line per interval, with --json a JSON line per file. */
async function watchUntilStopped(io: CliIo, config: StagingConfig, flags: StageFlags & WatchFlags) {
  return untilSignal(io, flags.quiet, (signal) => {
    if (!flags.quiet) say(io, `Watching ${config.rawRoot} (Ctrl+C to stop); files are staged once unchanged for ${config.settleSeconds} s.`);
    return watchRawFiles(config, {
      signal,
      breakLock: flags.breakLock ?? false,
      catalogCaches: [userCacheDir(io.env)],
      pollMs: flags.pollMs,
      statusMs: (flags.statusSeconds ?? 10) * 1000,
      onEvent: flags.json ? (event) => printJson(io, event) : undefined,
      onStatus: flags.quiet
        ? undefined
        : (s) => sayStatus(io, s),
    });
  });
}

/** The closing lines for a person: what happened, where to look, and the rejects in words. */
export function reportStage(io: CliIo, summary: StageSummary): void {
  // What a foreign-shaped procedures YAML held that strata does not use, in one line (nothing for strata's own).
  if (summary.catalogNote !== null) say(io, `Note: ${summary.catalogNote}.`);
  const rate = perSecond(summary.ok, summary.seconds, 'files');
  say(
    io,
    `Staged ${summary.ok} of ${counted(summary.files, 'file')} (${counted(summary.rows, 'row')}) in ${summary.seconds.toFixed(2)} s${rate ? ` (${rate})` : ''}; ` +
      `${summary.skipped} skipped, ${summary.rejected} rejected.`,
  );
  if (summary.sweptTempFiles > 0) say(io, `Removed ${counted(summary.sweptTempFiles, 'half-written file')} left by an earlier run that did not finish.`);
  if (summary.adopted > 0) say(io, `Took ${counted(summary.adopted, 'run')} that an earlier run had staged but not yet merged (from its journal) into the manifest, without staging them again.`);
  if (summary.conformed > 0) say(io, `Rewrote ${counted(summary.conformed, 'data file')} to their procedure's current columns (a new column, or a lake written by an older strata).`);
  for (const move of summary.moved.slice(0, 10)) say(io, `  moved: ${move.from} -> ${move.to} (same bytes; the run follows its file)`);
  if (summary.gone > 0) say(io, `${counted(summary.gone, 'staged run')} no longer have a raw file under the raw root; they stay in the lake (strata validate-manifest --raw-root lists them).`);
  if (summary.settling > 0) {
    const one = summary.settling === 1;
    say(io, `${counted(summary.settling, 'file')} ${one ? 'was' : 'were'} modified in the last seconds and ${one ? 'is' : 'are'} left for the next run.`);
  }
  for (const reject of summary.rejects.slice(0, 10)) say(io, `  rejected: ${reject.error}`);
  if (summary.rejects.length > 10) say(io, `  ... and ${summary.rejects.length - 10} more; see ${summary.rejectsDir}`);
  say(io, `Manifest: ${summary.manifest}`);
}

export const registerStage: RegisterCommand = (program, { io, setExitCode }) => {
  addStagingOptions(program.command('stage').description('Stage raw instrument CSVs into a partitioned Parquet lake with a manifest.'))
    .option('--watch', 'keep running: stage each file once it has settled, until Ctrl+C or SIGTERM (which finish the files in hand)')
    .option(
      '--poll-ms <ms>',
      'with --watch: how often the whole raw root is walked (default 60000 where the file system reports changes, whose folders are walked as they come; else 2000, with --catalog 1000)',
      integerOption(100, 3_600_000),
    )
    .option('--status-seconds <s>', 'with --watch: one status line every this many seconds (default 10)', numberOption(1))
    .option('--role <role>', 'with --catalog: discover files, stage them, or both (default)', choiceOption(['both', 'discover', 'stage']))
    .option('--lease <seconds>', 'with --catalog: how long a claim holds its files before another stager may take them (default 60)', numberOption(1))
    .option('--batch <n>', 'with --catalog: files claimed at once (default 256)', integerOption(1, 10_000))
    .option('--catalog-schema <name>', "with --catalog: the PostgreSQL schema of the lake's tables (default strata)")
    .action(async (flags: StageFlags & WatchFlags & CatalogFlags) => {
      // As the Python system's `stage-all`, the roots default to its layout (design doc 002, Phase 5).
      const asStageAll = program.args[0] === 'stage-all';
      const config = stagingConfigFrom(flags, io, asStageAll ? labLayoutDefaults(io) : undefined);
      warnUnusedFlags(io, flags);
      if (config.catalog !== undefined) {
        const summary = await stageWithCatalog(io, config, config.catalog, flags);
        if (!flags.quiet) reportCatalogStage(io, summary);
        if (flags.json) printJson(io, { ...summary, rejects: undefined });
        if (config.strict && summary.rejected > 0) setExitCode(1);
        return;
      }
      if (flags.watch) {
        const summary = await watchUntilStopped(io, config, flags);
        if (!flags.quiet) reportStage(io, { ...summary, files: summary.ok + summary.skipped + summary.rejected, settling: 0 });
        if (flags.json) printJson(io, { ...summary, rejects: undefined });
        return;
      }
      const summary = await stageRawFiles(config, { progress: progressFor(io, { quiet: flags.quiet || flags.json }), breakLock: flags.breakLock ?? false, catalogCaches: [userCacheDir(io.env)] });
      if (!flags.quiet) reportStage(io, summary);
      if (flags.json) printJson(io, { ...summary, rejects: undefined });
      if (config.strict && summary.rejected > 0) setExitCode(1);
    });
};
