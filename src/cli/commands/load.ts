// `strata load --dataset D --period P`: replaces the period's rows in stage.<table>, in one transaction.
import { findDataset } from '../../landed/dataset-rules.js';
import { loadPeriod } from '../../load/load-period.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { secondsSince, withStageDatabase, withStageDatabaseFlags, type StageDatabaseFlags } from '../stage-database-options.js';
import path from 'node:path';
import { counted } from '../../progress/counted.js';

interface LoadFlags extends StageDatabaseFlags {
  readonly dataset: string;
  readonly period: string;
  readonly parquet?: string;
  readonly allowEmpty?: boolean;
}

export const registerLoad: RegisterCommand = (program, { io }) => {
  withStageDatabaseFlags(
    program
      .command('load')
      .description("Replace one period of a dataset in stage.<table> (delete + insert in one transaction; any failure keeps the old rows)")
      .requiredOption('--dataset <name>', 'the dataset, as named in the dataset rules')
      .requiredOption('--period <period>', 'the period to replace: YYYY, YYYY-MM or YYYY-MM-DD')
      .option('--parquet <file>', 'the rows to load (default: <data-root>/stage/cleaned/<dataset>/<period>.parquet)')
      .option('--allow-empty', 'load a file with no rows, emptying the period (refused otherwise)'),
  ).action(async (flags: LoadFlags) => {
    const start = performance.now();
    const result = await withStageDatabase(io, flags, ({ rules, dataRoot, db }) =>
      loadPeriod({
        dataset: findDataset(rules, flags.dataset),
        period: flags.period,
        dataRoot,
        db,
        allowEmpty: flags.allowEmpty === true,
        ...(flags.parquet !== undefined && { parquetFile: path.resolve(io.cwd, flags.parquet) }),
      }),
    );
    say(io, `loaded ${counted(result.rowsInserted, 'row')} of ${result.dataset} ${result.period} into ${result.table} (replacing ${result.rowsDeleted})`);
    if (flags.json) {
      printJson(io, {
        dataset: result.dataset,
        period: result.period,
        table: result.table,
        parquet: result.parquet,
        rows_deleted: result.rowsDeleted,
        rows_inserted: result.rowsInserted,
        seconds: secondsSince(start),
      });
    }
  });
};
