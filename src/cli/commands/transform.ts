// `strata transform --dataset D --period P`: runs the dataset's transform SQL (stage into core) for one period, in one transaction.
import { findDataset } from '../../load/dataset-rules.js';
import { runPeriodScript } from '../../load/run-period-script.js';
import { printJson, say } from '../io.js';
import { secondsSince, withStageDatabase, withStageFlags, type StageFlags } from '../stage-options.js';
import type { RegisterCommand } from './index.js';

interface ScriptFlags extends StageFlags {
  readonly dataset: string;
  readonly period: string;
}

export const registerTransform: RegisterCommand = (program, { io }) => {
  withStageFlags(
    program
      .command('transform')
      .description("run the dataset's transform SQL file (stage into core) for one period; {{period}} in it becomes the quoted period")
      .requiredOption('--dataset <name>', 'the dataset, as named in the dataset rules')
      .requiredOption('--period <period>', 'the period: YYYY, YYYY-MM or YYYY-MM-DD'),
  ).action(async (flags: ScriptFlags) => {
    const start = performance.now();
    const result = await withStageDatabase(io, flags, ({ rules, db }) => runPeriodScript(findDataset(rules, flags.dataset), flags.period, 'transform', db));
    say(io, `ran ${result.script} for ${result.dataset} ${result.period}`);
    if (flags.json) printJson(io, { ...result, seconds: secondsSince(start) });
  });
};
