// `strata transform` and `strata publish`: a dataset's SQL script, for one period, in one transaction.
import { readFile } from 'node:fs/promises';
import { StrataError, configError, messageOf } from '../errors.js';
import type { DatasetRule } from '../landed/dataset-rules.js';
import { sqlLiteral } from '../sql/quote.js';
import { checkPeriod } from './load-period.js';
import type { StageDatabase } from './stage-database.js';

export type ScriptStep = 'transform' | 'publish';

/** Written in the script where the period goes; replaced by the period as a quoted literal ('2024-01'). */
export const PERIOD_PLACEHOLDER = '{{period}}';

export interface ScriptResult {
  readonly dataset: string;
  readonly period: string;
  readonly step: ScriptStep;
  readonly script: string;
}

export async function runPeriodScript(dataset: DatasetRule, period: string, step: ScriptStep, db: StageDatabase): Promise<ScriptResult> {
  checkPeriod(period);
  const script = step === 'transform' ? dataset.transformSql : dataset.publishSql;
  if (script === undefined) throw configError(`dataset '${dataset.name}' names no ${step} SQL file (key '${step}' in the dataset rules)`);
  let sql: string;
  try {
    sql = await readFile(script, 'utf8');
  } catch (error) {
    throw configError(`cannot read the ${step} SQL of dataset '${dataset.name}', ${script}: ${messageOf(error)}`);
  }
  if (!sql.includes(PERIOD_PLACEHOLDER)) {
    throw configError(`${script} never uses ${PERIOD_PLACEHOLDER}: a ${step} script works on one period at a time`);
  }
  // The period has been checked as a date, and is quoted besides.
  try {
    await db.runScript(dataset.name, sql.replaceAll(PERIOD_PLACEHOLDER, sqlLiteral(period)));
  } catch (error) {
    throw new StrataError('database', `${step} of dataset '${dataset.name}' for period ${period} failed (${script}): ${messageOf(error)}`);
  }
  return { dataset: dataset.name, period, step, script };
}
