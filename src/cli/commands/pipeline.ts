// `strata pipeline`: stage, then chip histories, over the standard data layout, with one progress display and one summary.
import path from 'node:path';
import { labLayout, runLabPipeline } from '../../pipeline/run-lab-pipeline.js';
import { integerOption } from '../parse-option.js';
import { printJson, progressFor, say } from '../io.js';
import { addStagingOptions, reportStage, stagingConfigFrom, type StageFlags } from './stage.js';
import type { RegisterCommand } from './index.js';
import { counted } from '../../progress/counted.js';

interface PipelineFlags extends StageFlags {
  readonly dataRoot: string;
  readonly minExperiments: number;
}

export const registerPipeline: RegisterCommand = (program, { io, setExitCode }) => {
  const command = program
    .command('pipeline')
    .description(
      'Stage, then write chip histories, in one go. Layout under --data-root: 01_raw (input), 02_stage/raw_measurements, ' +
        '02_stage/_manifest, 02_stage/_rejects, 03_history. --raw-root and --stage-root override the layout.',
    )
    .option('--data-root <dir>', 'root of the standard layout', 'data')
    .option('--min-experiments <n>', 'write histories only for chips with at least this many runs', integerOption(1, 1_000_000), 1);
  addStagingOptions(command).action(async (flags: PipelineFlags) => {
    const layout = labLayout(path.resolve(io.cwd, flags.dataRoot));
    const config = stagingConfigFrom(flags, io, { rawRoot: layout.raw, stageRoot: layout.stageRoot });
    const progress = progressFor(io, { quiet: flags.quiet || flags.json });
    const summary = await runLabPipeline(config, { historyDir: layout.history, minExperiments: flags.minExperiments, progress, breakLock: flags.breakLock ?? false });
    const runs = summary.histories.reduce((n, h) => n + h.runs, 0);
    const renumbered = summary.histories.reduce((n, h) => n + h.renumbered, 0);
    if (!flags.quiet && !flags.json) {
      reportStage(io, summary.stage);
      say(io, `Wrote ${counted(summary.histories.length, 'chip history', 'chip histories')} (${counted(runs, 'run')}) to ${layout.history}; ${summary.seconds.toFixed(2)} s in all.`);
      if (renumbered > 0) say(io, `${counted(renumbered, 'run')} moved to a new seq: earlier-dated runs arrived since the last histories.`);
    }
    if (flags.json) {
      const { rejects: _rejects, ...stage } = summary.stage;
      printJson(io, { ...stage, histories: summary.histories.length, history_runs: runs, renumbered, history_dir: layout.history, seconds: summary.seconds });
    }
    if (config.strict && summary.stage.rejected > 0) setExitCode(1);
  });
};
