import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../engine/duckdb.js';
import { lastJson, runCli } from '../../test/support/run-cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { manifestRow, writeTestManifest } from '../../test/history/manifest-fixtures.js';
import { findStageRoot, validateManifest, type ManifestFinding } from './validate-manifest.js';
import { loadProcedureCatalog } from '../schema/procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';

// The column ranges are the shipped procedures YAML's (`Laser voltage: { column: laser_voltage_v, min: 0 }`).
const SHIPPED_RULES = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML).parameterColumns;

/** A small real lake: data Parquet files of `rows` rows per run and a manifest listing them. */
async function buildLake(runs: number) {
  const root = tempDir();
  const stageRoot = path.join(root, '02_stage', 'raw_measurements');
  const manifestPath = path.join(root, '02_stage', '_manifest', 'manifest.parquet');
  const rows = Array.from({ length: runs }, (_, i) => manifestRow({ start: `2025-09-0${i + 1}T12:00:00Z`, fileIdx: i + 1 }));
  const engine = await Engine.open();
  const conn = await engine.connect();
  for (const row of rows) {
    const file = path.join(stageRoot, String(row['path']));
    mkdirSync(path.dirname(file), { recursive: true });
    await conn.run(`COPY (SELECT range * 0.1 AS t_s FROM range(${Number(row['rows'])})) TO ${sqlLiteral(file)} (FORMAT parquet)`);
  }
  conn.close();
  engine.close();
  await writeTestManifest(manifestPath, rows);
  return { stageRoot, manifestPath, rows };
}

async function findings(manifestPath: string, stageRoot: string): Promise<readonly ManifestFinding[]> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  try {
    return (await validateManifest(conn, { manifestPath, stageRoot, parameterRules: SHIPPED_RULES })).findings;
  } finally {
    conn.close();
    engine.close();
  }
}

/** Rewrites the manifest through SQL, bypassing the model, as a damaged or hand-edited file would be. */
async function tamper(manifestPath: string, select: string): Promise<void> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  const copy = `${manifestPath}.copy.parquet`;
  await conn.run(`COPY (${select.replaceAll('MANIFEST', `read_parquet(${sqlLiteral(manifestPath)})`)}) TO ${sqlLiteral(copy)} (FORMAT parquet)`);
  await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(copy)})) TO ${sqlLiteral(manifestPath)} (FORMAT parquet)`);
  rmSync(copy);
  conn.close();
  engine.close();
}

const kinds = (list: readonly ManifestFinding[]) => list.map((f) => f.kind);

describe('validate-manifest', () => {
  it('finds nothing wrong with a sound lake, and the CLI exits 0', async () => {
    const { stageRoot, manifestPath } = await buildLake(3);
    assert.deepEqual(await findings(manifestPath, stageRoot), []);
    assert.equal(findStageRoot(manifestPath), stageRoot);
    const run = await runCli(['validate-manifest', '--manifest', manifestPath, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lastJson(run)['ok'], true);
    assert.match(run.stderr, /no problems found/);
  });

  it('reports a run id listed twice', async () => {
    const { stageRoot, manifestPath } = await buildLake(2);
    await tamper(manifestPath, 'SELECT * FROM MANIFEST UNION ALL (SELECT * FROM MANIFEST LIMIT 1)');
    assert.deepEqual(kinds(await findings(manifestPath, stageRoot)), ['duplicate_run_id']);
  });

  it('reports values that break the rules and empty required columns', async () => {
    const { stageRoot, manifestPath, rows } = await buildLake(3);
    const [a, b] = [rows[0]!['run_id'], rows[1]!['run_id']];
    await tamper(
      manifestPath,
      `SELECT * REPLACE (CASE WHEN run_id = '${a}' THEN -5.0 ELSE laser_voltage_v END AS laser_voltage_v,
         CASE WHEN run_id = '${b}' THEN NULL ELSE summary END AS summary) FROM MANIFEST`,
    );
    const found = await findings(manifestPath, stageRoot);
    assert.deepEqual(kinds(found).sort(), ['null_required', 'schema_violation']);
    assert.deepEqual(found.find((f) => f.kind === 'schema_violation'), {
      kind: 'schema_violation', runId: a, column: 'laser_voltage_v', message: 'laser voltage must be at least 0 V',
    });
    assert.deepEqual(found.find((f) => f.kind === 'null_required'), { kind: 'null_required', column: 'summary', count: 1 });
  });

  it('reports a missing core column and a column of the wrong type', async () => {
    const { stageRoot, manifestPath } = await buildLake(1);
    await tamper(manifestPath, 'SELECT * EXCLUDE (warnings) REPLACE (CAST(rows AS VARCHAR) AS rows) FROM MANIFEST');
    const found = await findings(manifestPath, stageRoot);
    assert.deepEqual(found.filter((f) => f.kind === 'missing_column' || f.kind === 'column_type'), [
      { kind: 'column_type', column: 'rows', expected: 'BIGINT', actual: 'VARCHAR' },
      { kind: 'missing_column', column: 'warnings', expected: 'VARCHAR' },
    ]);
  });

  it('reports a Parquet file that does not exist and one that cannot be read', async () => {
    const { stageRoot, manifestPath, rows } = await buildLake(3);
    rmSync(path.join(stageRoot, String(rows[0]!['path'])));
    writeFileSync(path.join(stageRoot, String(rows[1]!['path'])), 'PAR1 but not really');
    const found = await findings(manifestPath, stageRoot);
    assert.deepEqual(kinds(found).sort(), ['missing_parquet', 'unreadable_parquet']);
    assert.equal(found.find((f) => f.kind === 'missing_parquet')!.runId, rows[0]!['run_id']);
  });

  it('reports runs on disk that the manifest does not list', async () => {
    const { stageRoot, manifestPath, rows } = await buildLake(2);
    await tamper(manifestPath, `SELECT * FROM MANIFEST WHERE run_id <> '${rows[1]!['run_id']}'`);
    const found = await findings(manifestPath, stageRoot);
    assert.deepEqual(found, [{ kind: 'run_not_in_manifest', runId: rows[1]!['run_id'], folder: path.dirname(String(rows[1]!['path'])) }]);
  });

  it('reports a row count that disagrees with the Parquet file, and the CLI exits 1 with a report', async () => {
    const { stageRoot, manifestPath, rows } = await buildLake(2);
    await tamper(manifestPath, `SELECT * REPLACE (CASE WHEN run_id = '${rows[0]!['run_id']}' THEN 99 ELSE rows END AS rows) FROM MANIFEST`);
    const found = await findings(manifestPath, stageRoot);
    assert.deepEqual(found, [{ kind: 'row_count_mismatch', runId: rows[0]!['run_id'], path: rows[0]!['path'], manifestRows: 99, parquetRows: 100 }]);
    const run = await runCli(['validate-manifest', '--manifest', manifestPath, '--stage-root', stageRoot, '--json']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the manifest says 99 rows/);
    assert.deepEqual(lastJson(run)['counts'], { row_count_mismatch: 1 });
  });
});

