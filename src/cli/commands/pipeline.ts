// `strata pipeline`: stage, then chip histories, over the standard data layout, with one progress display and one summary.
import path from 'node:path';
import { labLayout, runLabPipeline } from '../../pipeline/run-lab-pipeline.js';
import { integerOption } from '../parse-option.js';
import { printJson, progressFor, say, type RegisterCommand } from '../io.js';
import { addStagingOptions, reportStage, stagingConfigFrom, warnUnusedFlags, type StageFlags } from './stage.js';
import { checkApart } from '../../config/staging-config.js';
import { chipHistory, HISTORY_CSV_COLUMNS, oldLightMarker } from '../../history/chip-history.js';
import { openManifest } from '../../history/manifest-query.js';
import { toSafeCsv } from '../../history/safe-csv.js';
import { writeFileAtomically } from '../../fs/atomic-file.js';
import { usageError } from '../../errors.js';
import type { StagingConfig } from '../../config/staging-config.js';
import { counted } from '../../progress/counted.js';
import { userCacheDir } from '../../schema/cached-catalog.js';
import { DEFAULT_DATA_ROOT, dataRootOption } from '../shared-options.js';

interface PipelineFlags extends StageFlags {
  readonly dataRoot: string;
  readonly minExperiments: number;
  readonly chip?: number;
  readonly historyOut?: string;
}

/** The Python system's `full-pipeline --chip N --history-out FILE`: that chip's history, written where it asks. */
async function writeOneHistory(config: StagingConfig, chip: number, file: string): Promise<number> {
  const manifest = await openManifest(config.manifestPath);
  try {
    const history = await chipHistory(manifest, { chip, localTz: config.localTz });
    writeFileAtomically(file, toSafeCsv(history.runs.map((r) => ({ ...r, light: oldLightMarker(r.has_light) })), HISTORY_CSV_COLUMNS));
    return history.runs.length;
  } finally {
    manifest.close();
  }
}

export const registerPipeline: RegisterCommand = (program, { io, setExitCode }) => {
  const command = program
    .command('pipeline')
    .description(
      'Stage, then write chip histories, in one go. Layout under --data-root: 01_raw (input), 02_stage/raw_measurements, ' +
        '02_stage/_manifest, 02_stage/_rejects, 03_history. --raw-root and --stage-root override the layout.',
    )
    .addOption(dataRootOption('01_raw/ (the instrument files), 02_stage/ and 03_history/').default(DEFAULT_DATA_ROOT))
    .option('--min-experiments <n>', 'write histories only for chips with at least this many runs', integerOption(1, 1_000_000), 1)
    .option('--chip <n>', 'with --history-out: also write this chip\'s history there (the Python system\'s full-pipeline)', integerOption(0, Number.MAX_SAFE_INTEGER))
    .option('--history-out <file>', 'with --chip: the file for that chip\'s history CSV');
  addStagingOptions(command).action(async (flags: PipelineFlags) => {
    if ((flags.chip === undefined) !== (flags.historyOut === undefined)) throw usageError('--chip and --history-out go together');
    const layout = labLayout(path.resolve(io.cwd, flags.dataRoot));
    const config = stagingConfigFrom(flags, io, { rawRoot: layout.raw, stageRoot: layout.stageRoot });
    if (config.catalog !== undefined) {
      throw usageError('strata pipeline works on one machine\'s lake, without a catalog: with --catalog (or STRATA_CATALOG), run `strata stage --catalog URL` and then `strata histories --catalog URL`');
    }
    checkApart(config.rawRoot, [['the history folder', layout.history]]);
    const progress = progressFor(io, { quiet: flags.quiet || flags.json });
    warnUnusedFlags(io, flags);
    const summary = await runLabPipeline(config, { historyDir: layout.history, minExperiments: flags.minExperiments, progress, breakLock: flags.breakLock ?? false, catalogCaches: [userCacheDir(io.env)] });
    const historyOut = flags.historyOut === undefined ? undefined : path.resolve(io.cwd, flags.historyOut);
    const chipRuns = flags.chip === undefined || historyOut === undefined ? undefined : await writeOneHistory(config, flags.chip, historyOut);
    if (chipRuns !== undefined && !flags.quiet && !flags.json) say(io, `Wrote chip ${flags.chip}'s history (${counted(chipRuns, 'run')}) to ${historyOut}.`);
    const written = summary.histories.flatMap((h) => (h.kind === 'written' ? [h] : []));
    const refused = summary.histories.flatMap((h) => (h.kind === 'refused' ? [h] : []));
    const runs = written.reduce((n, h) => n + h.runs, 0);
    const renumbered = written.reduce((n, h) => n + h.renumbered, 0);
    if (!flags.quiet && !flags.json) {
      reportStage(io, summary.stage);
      say(io, `Wrote ${counted(written.length, 'chip history', 'chip histories')} (${counted(runs, 'run')}) to ${layout.history}; ${summary.seconds.toFixed(2)} s in all.`);
      if (renumbered > 0) say(io, `${counted(renumbered, 'run')} moved to a new seq: earlier-dated runs arrived since the last histories.`);
    }
    if (!flags.quiet && !flags.json) for (const r of refused) say(io, `${r.reason}.`);
    if (flags.json) {
      const { rejects: _rejects, ...stage } = summary.stage;
      const histories = { histories: written.length, history_runs: runs, renumbered, refused_histories: refused.map((r) => r.chip) };
      printJson(io, { ...stage, ...histories, history_dir: layout.history, seconds: summary.seconds, ...(chipRuns === undefined ? {} : { history_out: historyOut, chip_runs: chipRuns }) });
    }
    if (config.strict && summary.stage.rejected > 0) setExitCode(1);
  });
};
