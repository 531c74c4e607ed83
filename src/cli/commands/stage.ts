// `strata stage`: raw instrument files -> partitioned Parquet lake + manifest (CONTRACT.md).
import path from 'node:path';
import type { Command } from 'commander';
import { labLayout } from '../../pipeline/run-lab-pipeline.js';
import { loadStagingConfig } from '../../config/staging-config.js';
import { stageRawFiles, type StageSummary } from '../../pipeline/stage-raw-files.js';
import { integerOption, numberOption } from '../parse-option.js';
import { printJson, progressFor, say, type CliIo } from '../io.js';
import type { RegisterCommand } from './index.js';
import { counted, perSecond } from '../../progress/counted.js';

export interface StageFlags {
  readonly rawRoot?: string;
  readonly stageRoot?: string;
  readonly proceduresYaml?: string;
  readonly chipParams?: string;
  readonly localTz?: string;
  readonly workers?: number;
  readonly force?: boolean;
  readonly onlyYamlData?: boolean;
  readonly strict?: boolean;
  readonly settle?: number;
  readonly inFlightPrefix?: string[];
  readonly rejectsDir?: string;
  readonly eventsDir?: string;
  readonly manifest?: string;
  readonly manifestPath?: string;
  readonly polarsThreads?: number;
  readonly extractionVersion?: string;
  readonly config?: string;
  readonly breakLock?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The staging flags, shared by `stage` and `pipeline`. */
export function addStagingOptions(command: Command): Command {
  return command
    .option('--raw-root <dir>', 'folder of raw instrument CSVs, read recursively')
    .option('--stage-root <dir>', 'the lake: proc=/date=/run_id= folders of Parquet files are written here')
    .option('--procedures-yaml <file>', 'procedures schema (default: the one strata ships, config/procedures.yml)')
    .option('--chip-params <file>', "the lab's chip parameters YAML: chip number -> chip_group, notes, expected_procs")
    .option('--local-tz <zone>', 'IANA time zone of the lab, for local dates and naive ISO times (default America/Santiago)')
    .option('--workers <n>', 'files staged at once (default: the number of cores)', integerOption(1, 32))
    .option('--force', 'restage every file, even unchanged ones')
    .option('--only-yaml-data', 'drop data columns the procedures YAML does not declare')
    .option('--strict', 'reject files missing a required column or of an unknown procedure; exit 1 on any reject')
    .option('--settle <seconds>', 'leave files modified less than this many seconds ago for the next run (default 10)', numberOption(0))
    .option('--in-flight-prefix <prefix...>', "file-name prefixes of files still being written (default: temp_)")
    .option('--rejects-dir <dir>', 'reject records (default: <stage-root>/../_rejects)')
    .option('--events-dir <dir>', 'event history (default: <stage-root>/../_manifest/events)')
    .option('--manifest <file>', 'the manifest (default: <stage-root>/../_manifest/manifest.parquet)')
    .option('--manifest-path <file>', "the Python system's name for --manifest")
    .option('--extraction-version <text>', 'recorded in each run\'s manifest row (default: strata\'s version)')
    .option('--polars-threads <n>', 'the Python system\'s flag: accepted and unused (strata has no Polars; see --workers)', integerOption(1, 1024))
    .option('--config <file>', 'a YAML file of these options (keys as the flag names); flags win, then STRATA_* variables')
    .option('--break-lock', "take the lake's stage lock even if another run seems to hold it (only when that run is dead)")
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--quiet', 'no progress and no messages, only errors');
}

export function stagingConfigFrom(flags: StageFlags, io: CliIo, defaults?: { rawRoot: string; stageRoot: string }) {
  return loadStagingConfig({
    defaults,
    flags: {
      rawRoot: flags.rawRoot,
      stageRoot: flags.stageRoot,
      proceduresYaml: flags.proceduresYaml,
      chipParams: flags.chipParams,
      localTz: flags.localTz,
      workers: flags.workers,
      force: flags.force,
      onlyYamlData: flags.onlyYamlData,
      strict: flags.strict,
      settleSeconds: flags.settle,
      inFlightPrefixes: flags.inFlightPrefix,
      rejectsDir: flags.rejectsDir,
      eventsDir: flags.eventsDir,
      manifestPath: flags.manifestPath ?? flags.manifest,
      extractionVersion: flags.extractionVersion,
    },
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
  if (summary.adopted > 0) say(io, `Took ${counted(summary.adopted, 'run')} staged by an earlier run that was stopped into the manifest, without staging them again.`);
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
    .action(async (flags: StageFlags) => {
      // As the Python system's `stage-all`, the roots default to its layout (design doc 002, Phase 5).
      const asStageAll = program.args[0] === 'stage-all';
      const config = stagingConfigFrom(flags, io, asStageAll ? labLayoutDefaults(io) : undefined);
      warnUnusedFlags(io, flags);
      const summary = await stageRawFiles(config, { progress: progressFor(io, { quiet: flags.quiet || flags.json }), breakLock: flags.breakLock ?? false });
      if (!flags.quiet) reportStage(io, summary);
      if (flags.json) printJson(io, { ...summary, rejects: undefined });
      if (config.strict && summary.rejected > 0) setExitCode(1);
    });
};
