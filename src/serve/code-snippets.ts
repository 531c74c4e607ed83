// Copy-ready DuckDB, Polars and pandas code that reads this lake as it is: the chip's runs and one run's data.
import path from 'node:path';
import { sqlLiteral } from '../engine/duckdb.js';
import type { ManifestRecord } from './lake-view.js';

export interface CodeSnippets {
  readonly duckdb: string;
  readonly polars: string;
  readonly pandas: string;
}

export interface SnippetInput {
  readonly manifestPath: string;
  readonly stageRoot: string;
  readonly row: ManifestRecord;
}

/** Each snippet ends by printing two numbers: the chip's runs in the manifest and the run's data rows. */
export function codeSnippets({ manifestPath, stageRoot, row }: SnippetInput): CodeSnippets {
  const file = path.join(stageRoot, String(row['path']));
  const chip = typeof row['chip_name'] === 'string' ? row['chip_name'] : null;
  const [column, value] = chip === null ? ['run_id', String(row['run_id'])] : ['chip_name', chip];
  const py = (text: string) => JSON.stringify(text);
  return {
    duckdb: [
      `-- the runs of ${chip ?? 'this run'}, one manifest row each`,
      `SELECT * FROM read_parquet(${sqlLiteral(manifestPath)}) WHERE ${column} = ${sqlLiteral(value)} ORDER BY start_time_utc, file_idx;`,
      `-- this run's data (proc, date and run_id are in its folder names; run_id stays text even when all digits)`,
      `SELECT * FROM read_parquet(${sqlLiteral(file)}, hive_types = {'run_id': VARCHAR});`,
    ].join('\n'),
    polars: [
      'import polars as pl',
      `runs = pl.read_parquet(${py(manifestPath)}).filter(pl.col(${py(column)}) == ${py(value)}).sort("start_time_utc", "file_idx")`,
      `data = pl.read_parquet(${py(file)})`,
      'print(runs.height, data.height)',
    ].join('\n'),
    pandas: [
      'import pandas as pd',
      `manifest = pd.read_parquet(${py(manifestPath)})`,
      `runs = manifest[manifest[${py(column)}] == ${py(value)}].sort_values(["start_time_utc", "file_idx"])`,
      `data = pd.read_parquet(${py(file)})`,
      'print(len(runs), len(data))',
    ].join('\n'),
  };
}
