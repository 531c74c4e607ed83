// The readers users will point at a lake on S3: PyArrow and Polars (from the readers' venv) read a small
// proc=/date=/run_id= layout written through the storage as they read a folder, with the partition columns; DuckDB
// needs its httpfs extension, which cannot be installed on this machine, so its test runs only where it loads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { messageOf } from '../../src/errors.js';
import { openLakeStorage } from '../../src/storage/open-lake-storage.js';
import { pythonSkipReason, runPythonJson } from '../support/python.js';
import { tempDir } from '../support/temp-dir.js';
import { scratchBucket, skipWithoutS3 } from './s3-fixtures.js';

const skip = (await skipWithoutS3()) || pythonSkipReason() || false;

/** The runs written: two of It on two days, one of IVg; each run's rows have I = its number × the row's. */
const RUNS = [
  { proc: 'It', date: '2024-01-01', runId: 'It-20240101-0900-aaaa0001', rows: 3, factor: 1 },
  { proc: 'It', date: '2024-01-02', runId: 'It-20240102-0900-aaaa0002', rows: 4, factor: 10 },
  { proc: 'IVg', date: '2024-01-02', runId: 'IVg-20240102-1000-bbbb0003', rows: 2, factor: 100 },
] as const;
const dataPath = (run: (typeof RUNS)[number]) => `proc=${run.proc}/date=${run.date}/run_id=${run.runId}/part-000.parquet`;
const itRows = RUNS.filter((r) => r.proc === 'It');
const expectedIt = {
  rows: itRows.reduce((n, r) => n + r.rows, 0),
  runs: itRows.map((r) => r.runId).sort(),
  dates: itRows.map((r) => r.date).sort(),
  sumI: itRows.reduce((sum, r) => sum + r.factor * ((r.rows * (r.rows + 1)) / 2), 0),
};

/** Parquet files of the runs, made by DuckDB in a temp folder, then put into the lake through the storage. */
async function writeLake(location: string, s3: Parameters<typeof openLakeStorage>[1]): Promise<void> {
  const dir = tempDir();
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const storage = await openLakeStorage(location, s3);
    for (const [i, run] of RUNS.entries()) {
      const file = path.join(dir, `${i}.parquet`);
      await conn.run(`COPY (SELECT i::DOUBLE * 0.5 AS t, (i * ${run.factor})::DOUBLE AS I FROM range(1, ${run.rows + 1}) r(i)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
      await storage.put(dataPath(run), readFileSync(file));
    }
  } finally {
    engine.close();
  }
}

describe('readers of a lake on S3', { skip }, () => {
  const bucket = scratchBucket();
  let location = '';
  let root = '';
  const { endpoint, accessKeyId, secretAccessKey, region } = bucket.settings;
  const credentials = () => [endpoint!, accessKeyId!, secretAccessKey!, region];

  before(async () => {
    location = bucket.freshLocation('readers');
    root = location.slice('s3://'.length);
    await writeLake(location, { s3: bucket.settings });
  });

  it('PyArrow reads proc=It as a hive-partitioned dataset through S3FileSystem(endpoint_override=...), date and run_id included', () => {
    const script = `
import json, sys
import pyarrow.dataset as ds, pyarrow.fs as pafs, pyarrow.compute as pc
endpoint, key, secret, region, root = sys.argv[1:6]
fs = pafs.S3FileSystem(endpoint_override=endpoint, access_key=key, secret_key=secret, region=region)
t = ds.dataset(root + '/proc=It', filesystem=fs, format='parquet', partitioning='hive').to_table()
print(json.dumps({'rows': t.num_rows, 'runs': sorted(set(t.column('run_id').to_pylist())),
  'dates': sorted(set(str(d) for d in t.column('date').to_pylist())), 'sumI': pc.sum(t.column('I')).as_py()}))`;
    const read = runPythonJson(script, [...credentials(), root]) as { rows: number; runs: string[]; dates: string[]; sumI: number };
    assert.deepEqual(read, expectedIt);
  });

  it("Polars scans s3://bucket/prefix/proc=It/**/*.parquet with storage_options, date and run_id from the folders' names", () => {
    const script = `
import json, sys
import polars as pl
endpoint, key, secret, region, root = sys.argv[1:6]
opts = {'aws_endpoint_url': endpoint, 'aws_access_key_id': key, 'aws_secret_access_key': secret, 'aws_region': region, 'aws_allow_http': 'true'}
df = pl.scan_parquet(f's3://{root}/proc=It/**/*.parquet', storage_options=opts, hive_partitioning=True).collect()
print(json.dumps({'rows': df.height, 'runs': sorted(set(df['run_id'].to_list())),
  'dates': sorted(set(str(d) for d in df['date'].to_list())), 'sumI': df['I'].sum()}))`;
    const read = runPythonJson(script, [...credentials(), root]) as { rows: number; runs: string[]; dates: string[]; sumI: number };
    assert.deepEqual(read, expectedIt);
  });

  it('PyArrow and Polars read one run by the path the manifest gives it', () => {
    const run = RUNS[2];
    const script = `
import json, sys
import pyarrow.parquet as pq, pyarrow.fs as pafs, polars as pl
endpoint, key, secret, region, root, rel = sys.argv[1:7]
fs = pafs.S3FileSystem(endpoint_override=endpoint, access_key=key, secret_key=secret, region=region)
opts = {'aws_endpoint_url': endpoint, 'aws_access_key_id': key, 'aws_secret_access_key': secret, 'aws_region': region, 'aws_allow_http': 'true'}
a = pq.read_table(f'{root}/{rel}', filesystem=fs)
p = pl.read_parquet(f's3://{root}/{rel}', storage_options=opts, hive_partitioning=False)
print(json.dumps({'pyarrow': a.column('I').to_pylist(), 'polars': p['I'].to_list()}))`;
    const read = runPythonJson(script, [...credentials(), root, dataPath(run)]);
    assert.deepEqual(read, { pyarrow: [100, 200], polars: [100, 200] });
  });

  it('DuckDB reads it with its httpfs extension, where that extension is installed', async (t) => {
    const engine = await Engine.open();
    try {
      const conn = await engine.connect();
      try {
        await conn.run('SET autoinstall_known_extensions = false');
        await conn.run('LOAD httpfs');
      } catch (error) {
        t.skip(`DuckDB's httpfs extension is not installed here and cannot be downloaded (${messageOf(error).split('\n')[0]}); users install it once with INSTALL httpfs`);
        return;
      }
      const url = new URL(endpoint!);
      await conn.run(
        `CREATE SECRET lake (TYPE s3, KEY_ID ${sqlLiteral(accessKeyId!)}, SECRET ${sqlLiteral(secretAccessKey!)}, REGION ${sqlLiteral(region)}, ` +
          `ENDPOINT ${sqlLiteral(url.host)}, URL_STYLE 'path', USE_SSL ${url.protocol === 'https:'})`,
      );
      const rows = await conn.all<{ rows: number; sumI: number }>(
        `SELECT count(*)::INTEGER AS rows, sum(I) AS sumI FROM read_parquet(${sqlLiteral(`${location}/proc=It/**/*.parquet`)}, hive_partitioning = true)`,
      );
      assert.deepEqual(rows, [{ rows: expectedIt.rows, sumI: expectedIt.sumI }]);
    } finally {
      engine.close();
    }
  });
});
