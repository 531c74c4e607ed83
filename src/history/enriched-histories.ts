// Enriched chip histories: each chip's history with one column per derived metric, as Parquet, rewritten only
// for the chips whose runs or metrics changed since the last time.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { sqlIdentifier, sqlLiteral, sqlPathLiteral } from '../engine/duckdb.js';
import { writeFileAtomically, writeViaTemp } from '../fs/atomic-file.js';
import { checkSafeName } from '../fs/safe-name.js';
import { LOCAL_DATE, LOCAL_TIME, RUN_ORDER, openManifest } from './manifest-query.js';

export interface EnrichedHistoriesOptions {
  readonly manifestFile: string;
  /** metrics.parquet; a missing file leaves every metric column null. */
  readonly metricsFile: string;
  readonly stageRoot: string;
  readonly outDir: string;
  readonly localTz: string;
  /** The metric columns, in order: every file has all of them, null where a run has no such metric. */
  readonly metricNames: readonly string[];
}

export interface EnrichedHistories {
  readonly written: readonly { readonly chip: string; readonly file: string }[];
  readonly unchanged: number;
  /** Chips whose group name cannot be a file name, and why. */
  readonly skipped: readonly { readonly chip: string; readonly reason: string }[];
}

/** Beside the histories: chip -> fingerprint of its runs, its metrics and the columns when its file was written. */
const STATE_FILE = '.enriched-state.json';

export async function writeEnrichedHistories(options: EnrichedHistoriesOptions): Promise<EnrichedHistories> {
  const manifest = await openManifest(options.manifestFile);
  try {
    const { conn } = manifest;
    const metrics = existsSync(options.metricsFile)
      ? `read_parquet(${sqlPathLiteral(options.metricsFile)})`
      : '(SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS metric_name, NULL::DOUBLE AS value_float, NULL::VARCHAR AS flags WHERE false)';
    await conn.run(`CREATE TEMP TABLE enriched_metrics AS SELECT run_id, metric_name, value_float, flags FROM ${metrics}`);
    const chips = await conn.all<{ chip_group: string; chip_number: number; fp: string }>(
      `WITH runs AS (
         SELECT chip_group, chip_number, run_id, concat_ws(':', run_id, source_sha1, epoch_ms(ingested_at_utc), path, start_time_utc, file_idx, summary, has_light) AS k
         FROM ${manifest.source} WHERE chip_group IS NOT NULL AND chip_number IS NOT NULL),
       values_of AS (
         SELECT run_id, string_agg(concat_ws('=', metric_name, value_float, flags), ';' ORDER BY metric_name) AS m FROM enriched_metrics GROUP BY run_id)
       SELECT chip_group, chip_number, md5(string_agg(concat_ws('|', k, m), ',' ORDER BY runs.run_id)) AS fp
       FROM runs LEFT JOIN values_of USING (run_id) GROUP BY chip_group, chip_number ORDER BY chip_group, chip_number`,
    );
    const setting = createHash('sha1').update(JSON.stringify([options.metricNames, options.localTz, options.stageRoot])).digest('hex');
    const stateFile = path.join(options.outDir, STATE_FILE);
    const before = readState(stateFile);
    const after: Record<string, string> = {};
    const written: { chip: string; file: string }[] = [];
    const skipped: { chip: string; reason: string }[] = [];
    let unchanged = 0;
    mkdirSync(options.outDir, { recursive: true });
    for (const chip of chips) {
      const name = `${chip.chip_group}${chip.chip_number}`;
      const safe = checkSafeName(chip.chip_group, `chip group '${chip.chip_group}'`);
      if (!safe.ok) {
        skipped.push({ chip: name, reason: safe.reason });
        continue;
      }
      const file = path.join(options.outDir, `${name}_history.parquet`);
      const fp = `${chip.fp}:${setting}`;
      after[name] = fp;
      if (before[name] === fp && existsSync(file)) {
        unchanged++;
        continue;
      }
      await writeViaTemp(file, (temp) => conn.run(`COPY (${chipSql(manifest.source, chip, options)}) TO ${sqlLiteral(temp)} (FORMAT parquet)`));
      written.push({ chip: name, file });
    }
    writeFileAtomically(stateFile, `${JSON.stringify(after)}\n`);
    return { written, unchanged, skipped };
  } finally {
    manifest.close();
  }
}

function readState(file: string): Record<string, string> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** One chip's runs in history order (seq as `strata history` numbers them), each with its metrics' values. */
function chipSql(source: string, chip: { chip_group: string; chip_number: number }, options: EnrichedHistoriesOptions): string {
  const tz = sqlLiteral(options.localTz);
  const root = sqlLiteral(`${options.stageRoot}${path.sep}`);
  const wide =
    options.metricNames.length === 0
      ? 'SELECT NULL::VARCHAR AS run_id WHERE false'
      : `SELECT run_id, ${options.metricNames.map((m) => `max(value_float) FILTER (WHERE metric_name = ${sqlLiteral(m)}) AS ${sqlIdentifier(m)}`).join(', ')} FROM enriched_metrics GROUP BY run_id`;
  return `WITH chip_runs AS (
      SELECT *, row_number() OVER (ORDER BY ${RUN_ORDER.replaceAll('$tz', tz)}) AS seq FROM ${source}
      WHERE chip_group = ${sqlLiteral(chip.chip_group)} AND chip_number = ${Math.trunc(chip.chip_number)}),
    wide AS (${wide})
    SELECT CAST(seq AS INTEGER) AS seq, ${LOCAL_DATE.replaceAll('$tz', tz)} AS date_local, ${LOCAL_TIME.replaceAll('$tz', tz)} AS time_local, proc, has_light,
      summary, file_idx, chip_runs.run_id, source_file, chip_group, chip_number, start_time_utc,
      ${root} || replace(path, '/', ${sqlLiteral(path.sep)}) AS parquet_path
      ${options.metricNames.map((m) => `, wide.${sqlIdentifier(m)}`).join('')}
    FROM chip_runs LEFT JOIN wide ON chip_runs.run_id = wide.run_id ORDER BY seq`;
}
