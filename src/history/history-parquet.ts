// A chip's history as Parquet (`--format parquet`): the history's columns plus each run's chip and Parquet file path.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sqlLiteral } from '../engine/duckdb.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import type { ChipHistory } from './chip-history.js';
import { RUN_DATA_PATH_PATTERN } from '../lake/partition-path.js';
import { LOCAL_DATE, LOCAL_TIME, type ManifestHandle } from './manifest-query.js';

/**
 * Writes `history` to `file` atomically, in seq order, with `parquet_path`: the run's data file under `stageRoot`
 * (what the lab's plotting code opens), or null when the manifest's path for it is not one strata writes.
 */
export async function writeHistoryParquet(manifest: ManifestHandle, history: ChipHistory, options: { readonly file: string; readonly stageRoot: string; readonly localTz: string }): Promise<void> {
  const tz = sqlLiteral(options.localTz);
  const root = sqlLiteral(`${options.stageRoot}${path.sep}`);
  const values = history.runs.length === 0 ? `SELECT NULL::VARCHAR AS run_id, NULL::INTEGER AS seq WHERE false` : `VALUES ${history.runs.map((r) => `(${sqlLiteral(r.run_id)}, ${r.seq})`).join(', ')}`;
  const select = `SELECT CAST(v.seq AS INTEGER) AS seq, ${LOCAL_DATE.replaceAll('$tz', tz)} AS date_local, ${LOCAL_TIME.replaceAll('$tz', tz)} AS time_local, m.proc, m.has_light,
      CASE WHEN m.has_light THEN '💡' WHEN NOT m.has_light THEN '🌙' ELSE '❗' END AS light, m.summary, m.file_idx, m.run_id, m.source_file,
      m.chip_group, m.chip_number,
      CASE WHEN regexp_full_match(m.path, ${sqlLiteral(RUN_DATA_PATH_PATTERN)}) THEN ${root} || replace(m.path, '/', ${sqlLiteral(path.sep)}) END AS parquet_path
    FROM ${manifest.source} m JOIN (${values}) v(run_id, seq) ON m.run_id = v.run_id ORDER BY v.seq`;
  mkdirSync(path.dirname(options.file), { recursive: true });
  await writeViaTemp(options.file, (temp) => manifest.conn.run(`COPY (${select}) TO ${sqlLiteral(temp)} (FORMAT parquet)`));
}
