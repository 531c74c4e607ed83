// The lake every reader opens: one schema per procedure, proc/date/run_id in the path only, read with no options
// by DuckDB, PyArrow, pandas and Polars; undeclared columns that change type; lakes written the old way; `strata query`.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { sqlLiteral } from '../../src/engine/duckdb.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { readLakeSchemas } from '../../src/lake/procedure-schemas.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { queryLake } from '../../src/query/query-lake.js';
import { tempDir } from '../support/temp-dir.js';
import { withConn } from '../support/with-duckdb.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';
import { runCli } from '../support/run-cli.js';
import { pythonReaders } from '../support/python.js';


const manifestOf = (lake: StagedLake): Promise<ManifestRow[]> => withConn((conn) => readManifest(conn, lake.config.manifestPath));

/** Each data file's (name, type) list, by file. */
async function fileSchemas(stageRoot: string, proc: string): Promise<Map<string, string>> {
  return withConn(async (conn) => {
    const rows = await conn.all<{ file_name: string; name: string; type: string | null; logical: string | null }>(
      `SELECT file_name, name, type, CAST(logical_type AS VARCHAR) logical FROM parquet_schema(${sqlLiteral(`${stageRoot}/proc=${proc}/*/*/*.parquet`)}) WHERE name NOT IN ('duckdb_schema', 'schema')`,
    );
    const byFile = new Map<string, string>();
    for (const r of rows) byFile.set(r.file_name, `${byFile.get(r.file_name) ?? ''}${r.name}:${r.type}:${r.logical ?? ''};`);
    return byFile;
  });
}

describe('the lake every reader opens', () => {
  let lake: StagedLake;
  let rows: ManifestRow[];
  const rowsOf = (proc: string) => rows.filter((r) => r.proc === proc).reduce((s, r) => s + r.rows, 0);
  const procs = () => [...new Set(rows.map((r) => r.proc))].sort();

  before(async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 48, seed: 13, variants: true });
    lake = await stageInto(raw, path.join(root, 'lake'));
    rows = await manifestOf(lake);
  });

  it('gives every data file of a procedure the same columns, in the same order, with the same types', async () => {
    assert.ok(procs().length >= 4);
    for (const proc of procs()) {
      const schemas = new Set((await fileSchemas(lake.config.stageRoot, proc)).values());
      assert.equal(schemas.size, 1, `${proc}: ${[...schemas].join(' | ')}`);
    }
    const recorded = readLakeSchemas(lakeLayout(lake.config).schemas);
    assert.deepEqual([...recorded.procedures.keys()].sort(), procs());
  });

  it('reads one procedure whole with DuckDB and no union option, partition columns from the path', async () => {
    for (const proc of procs()) {
      const [count] = await withConn((conn) =>
        conn.all<{ n: number; runs: number; procs: number }>(
          `SELECT count(*) n, count(DISTINCT run_id) runs, count(DISTINCT proc) procs FROM read_parquet(${sqlLiteral(`${lake.config.stageRoot}/proc=${proc}/**/*.parquet`)}, hive_partitioning=true)`,
        ),
      );
      assert.equal(count?.n, rowsOf(proc), proc);
      assert.equal(count?.runs, rows.filter((r) => r.proc === proc).length);
      assert.equal(count?.procs, 1);
    }
  });

  it('is read with no options by PyArrow, pandas and Polars, one type per column, and by the README whole-lake calls', async (t) => {
    const python = pythonReaders();
    if (!python.ok) return t.skip(python.reason);
    const script = `
import json, sys
import pyarrow.parquet as pq, pandas as pd, polars as pl
root, procs = sys.argv[1], json.loads(sys.argv[2])
out = {}
for p in procs:
    folder = f"{root}/proc={p}"
    t = pq.read_table(folder)
    d = pd.read_parquet(folder)
    l = pl.scan_parquet(folder + "/").collect()
    out[p] = {"pyarrow": [t.num_rows, t.num_columns, sorted(set(t.column_names))], "pandas": [len(d), len(d.columns)],
              "polars": [l.height, l.width], "run_ids": d["run_id"].astype(str).nunique(),
              "types": {f.name: str(f.type) for f in t.schema}}
# the README's whole-lake calls
tables = [pq.read_table(f"{root}/proc={p}") for p in procs]
import pyarrow as pa
whole = pa.concat_tables([t.append_column("proc", pa.array([p] * t.num_rows)) for p, t in zip(procs, tables)], promote_options="permissive")
lazy = pl.concat([pl.scan_parquet(f"{root}/proc={p}/").with_columns(pl.lit(p).alias("proc")) for p in procs], how="diagonal_relaxed")
out["whole"] = {"pyarrow": whole.num_rows, "polars": lazy.select(pl.len()).collect().item()}
print(json.dumps(out))
`;
    const result = JSON.parse(python.run(script, [lake.config.stageRoot, JSON.stringify(procs())])) as Record<string, {
      pyarrow: [number, number, string[]]; pandas: [number, number]; polars: [number, number]; run_ids: number; types: Record<string, string>;
    }> & { whole: { pyarrow: number; polars: number } };
    for (const proc of procs()) {
      const r = result[proc]!;
      const schema = readLakeSchemas(lakeLayout(lake.config).schemas).procedures.get(proc)!;
      const expectedColumns = schema.columns.length + 2; // + date and run_id from the path
      assert.deepEqual([r.pyarrow[0], r.pyarrow[1]], [rowsOf(proc), expectedColumns], `pyarrow ${proc}`);
      assert.deepEqual(r.pandas, [rowsOf(proc), expectedColumns], `pandas ${proc}`);
      assert.deepEqual(r.polars, [rowsOf(proc), expectedColumns], `polars ${proc}`);
      assert.equal(r.run_ids, rows.filter((x) => x.proc === proc).length);
      assert.equal(r.types['start_time_utc'], 'timestamp[us, tz=UTC]');
      assert.equal(r.types['chip_number'], 'int64');
      assert.equal(r.types['has_light'], 'bool');
      assert.equal(r.types['source_file'], 'string');
    }
    const total = rows.reduce((s, r) => s + r.rows, 0);
    assert.deepEqual(result.whole, { pyarrow: total, polars: total });
  });

  it('answers SQL over views of the lake: a procedure joined with runs by chip', async () => {
    const result = await queryLake(
      { stageRoot: lake.config.stageRoot, manifestPath: lake.config.manifestPath },
      `SELECT r.chip_name, count(*) AS n, count(DISTINCT It.run_id) AS runs FROM It JOIN runs r USING (run_id) GROUP BY ALL ORDER BY n DESC`,
    );
    const expected = new Map<string, number>();
    for (const r of rows.filter((x) => x.proc === 'It')) expected.set(String(r.chip_name), (expected.get(String(r.chip_name)) ?? 0) + r.rows);
    assert.deepEqual(result.columns, ['chip_name', 'n', 'runs']);
    assert.equal(result.rows.length, expected.size);
    for (const row of result.rows) assert.equal(row['n'], expected.get(String(row['chip_name'])));
    assert.ok(result.views.includes('runs') && result.views.includes('It'));
  });

  it('prints query results as a table, CSV or JSON, and a bad query as one sentence (exit 2)', async () => {
    const args = ['query', `SELECT proc, count(*) AS runs FROM runs GROUP BY proc ORDER BY proc`, '--stage-root', lake.config.stageRoot];
    const csv = await runCli([...args, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'proc,runs');
    assert.equal(lines.length, procs().length + 1);
    const json = await runCli([...args, '--json']);
    assert.equal(json.stdout.trim().split('\n').length, 1);
    assert.equal((JSON.parse(json.stdout) as { rows: number }).rows, procs().length);
    const table = await runCli(args);
    assert.match(table.stdout, /proc\s+runs/);
    const bad = await runCli(['query', 'SELECT nope FROM runs', '--stage-root', lake.config.stageRoot]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the query failed: .*nope/);
  });
});

describe('undeclared columns and lakes written the old way', () => {
  it('keeps one type for an undeclared column holding 2, 2.5 and high: a warning, no reject', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 3, seed: 21, procedures: ['It'] });
    const values = ['2', '2.5', 'high'];
    corpus.files.forEach((file, n) => {
      const abs = path.join(raw, file.relPath);
      const lines = readFileSync(abs, 'utf8').split('\r\n');
      const columnLine = lines.findIndex((l) => l.startsWith('#Data:')) + 1;
      writeFileSync(abs, lines.map((l, i) => (i === columnLine ? `${l},Gain (x)` : i > columnLine && l !== '' ? `${l},${values[n]}` : l)).join('\r\n'));
    });
    const lake = await stageInto(raw, path.join(root, 'lake'), { workers: 1 });
    assert.equal(lake.summary.rejected, 0);
    assert.equal(lake.summary.ok, 3);
    const types = await withConn((conn) =>
      conn.all<{ column_type: string }>(
        `SELECT DISTINCT column_type FROM (DESCRIBE SELECT gain_x FROM read_parquet(${sqlLiteral(`${lake.config.stageRoot}/proc=It/**/*.parquet`)}))`,
      ),
    );
    assert.deepEqual(types.map((t) => t.column_type), ['DOUBLE']);
    const events = readFileSync(lake.summary.events, 'utf8');
    assert.match(events, /column 'Gain \(x\)': \d+ value\(s\) are not numbers and are stored as null \(first: 'high' at line \d+\)/);
    const schemas = new Set((await fileSchemas(lake.config.stageRoot, 'It')).values());
    assert.equal(schemas.size, 1);
  });

  it('rewrites, once, the files of a lake whose data files still hold proc and run_id, and of a column that arrives later', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 6, seed: 22, procedures: ['IVg'] });
    const lakeRoot = path.join(root, 'lake');
    const first = await stageInto(raw, lakeRoot);
    const rows = await manifestOf(first);
    // Make it the old way: proc and run_id inside every file, no schema ids, no schemas.json.
    await withConn(async (conn) => {
      const scratch = path.join(root, 'old.parquet');
      const rewrite = async (file: string, select: string) => {
        await conn.run(`COPY (${select.replace('$file', sqlLiteral(file))}) TO ${sqlLiteral(scratch)} (FORMAT parquet)`);
        await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(scratch)})) TO ${sqlLiteral(file)} (FORMAT parquet)`);
      };
      for (const row of rows) {
        await rewrite(path.join(first.config.stageRoot, row.path), `SELECT *, 'IVg' AS proc, ${sqlLiteral(row.run_id)} AS run_id FROM read_parquet($file)`);
      }
      await rewrite(first.config.manifestPath, 'SELECT * EXCLUDE (data_schema) FROM read_parquet($file)');
    });
    rmSync(lakeLayout(first.config).schemas);
    const migrated = await stageInto(raw, lakeRoot);
    assert.equal(migrated.summary.conformed, rows.length);
    for (const file of (await fileSchemas(migrated.config.stageRoot, 'IVg')).values()) {
      assert.ok(!/(^|;)(proc|run_id):/.test(file), file);
    }
    const again = await stageInto(raw, lakeRoot);
    assert.equal(again.summary.conformed, 0, 'once: a second run rewrites nothing');
    // A new unknown column in one changed file: the other files are rewritten with it (all null there).
    const abs = path.join(raw, corpus.files[0]!.relPath);
    const lines = readFileSync(abs, 'utf8').split('\r\n');
    const columnLine = lines.findIndex((l) => l.startsWith('#Data:')) + 1;
    writeFileSync(abs, lines.map((l, i) => (i === columnLine ? `${l},Note` : i > columnLine && l !== '' ? `${l},x` : l)).join('\r\n'));
    const grown = await stageInto(raw, lakeRoot);
    assert.equal(grown.summary.ok, 1);
    assert.equal(grown.summary.conformed, rows.length - 1);
    const schemas = new Set((await fileSchemas(grown.config.stageRoot, 'IVg')).values());
    assert.equal(schemas.size, 1, [...schemas].join('\n'));
    assert.match([...schemas][0]!, /note:BYTE_ARRAY/);
    const recorded = readLakeSchemas(lakeLayout(grown.config).schemas);
    assert.ok(recorded.changes.some((c) => c.proc === 'IVg' && c.added.some((a) => a.name === 'note')));
  });
});
