// One file must not be able to make a lake unable to stage again: a limit on data columns, a rejected file that
// changes no procedure's schema, a schema change recorded only once the rewrite it needs is done (and a rewrite
// that is stopped taken up by the next run), and a rewrite whose memory does not grow with the lake.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sqlLiteral } from '../../src/engine/duckdb.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { pendingSchemasPath, readLakeSchemas } from '../../src/lake/procedure-schemas.js';
import { readRejectRecords } from '../../src/lake/reject-records.js';
import { tempDir } from '../support/temp-dir.js';
import { lakeConfig, stageInto } from '../support/stage-lake.js';
import { withConn } from '../support/with-duckdb.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'conform-child.ts');
/** The It columns the shipped YAML declares, as an instrument writes them. */
const IT_COLUMNS = ['t (s)', 'I (A)', 'VL (V)', 'Plate T (degC)', 'Ambient T (degC)', 'Clock (ms)'];

/** An It file starting at `start` (Unix seconds) with the declared columns, then `extra` ones, `rows` rows. */
function writeItFile(raw: string, name: string, start: number, extra: readonly string[] = [], rows = 5): void {
  const columns = [...IT_COLUMNS, ...extra];
  const header = ['#Procedure: <laser_setup.procedures.It.It>', '#Parameters:', '#\tChip group name: Alisson', '#\tChip number: 67', '#Metadata:', `#\tStart time: ${start}`, '#Data:'];
  const table = Array.from({ length: rows }, (_, r) => columns.map((_, c) => String(r + c / 10)).join(','));
  mkdirSync(raw, { recursive: true });
  writeFileSync(path.join(raw, name), `${[...header, columns.join(','), ...table].join('\n')}\n`);
}

/** Each It data file's column names, in order. */
async function dataFileColumns(stageRoot: string): Promise<Map<string, string>> {
  return withConn(async (conn) => {
    const rows = await conn.all<{ file_name: string; name: string }>(
      `SELECT file_name, name FROM parquet_schema(${sqlLiteral(`${stageRoot}/proc=It/*/*/*.parquet`)}) WHERE num_children IS NULL`,
    );
    const byFile = new Map<string, string>();
    for (const r of rows) byFile.set(r.file_name, `${byFile.get(r.file_name) ?? ''}${r.name},`);
    return byFile;
  });
}

const recordedColumns = (manifestPath: string) => readLakeSchemas(path.join(path.dirname(manifestPath), 'schemas.json')).procedures.get('It')?.columns.map((c) => c.name) ?? [];

/** A stage run in a child process; `killAt` kills it (SIGKILL) once it has rewritten that many older files. */
function stageInChild(raw: string, lake: string, killAt?: number): Promise<{ killed: boolean; last: Record<string, number> | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, raw, lake], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const step = Number(/rewriting (\d+)\n$/.exec(stdout)?.[1] ?? 0);
      if (killAt !== undefined && step >= killAt) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (signal === 'SIGKILL') resolve({ killed: true, last: undefined });
      else if (code === 0) resolve({ killed: false, last: JSON.parse(lastLine) as Record<string, number> });
      else reject(new Error(`stage child exited ${code}: ${stderr}`));
    });
  });
}

describe("a procedure's columns", () => {
  it('refuses a file with more data columns than the limit, quickly, and leaves the schema and the older files as they were', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lakeRoot = path.join(root, 'lake');
    for (let i = 0; i < 3; i++) writeItFile(raw, `It_${i}.csv`, 1_760_000_000 + i);
    const first = await stageInto(raw, lakeRoot);
    const schemasBefore = readFileSync(lakeLayout(first.config).schemas, 'utf8');
    const filesBefore = await dataFileColumns(first.config.stageRoot);
    writeItFile(raw, 'It_wide.csv', 1_760_000_100, Array.from({ length: 100_002 - IT_COLUMNS.length }, (_, k) => `C${k}`), 2);
    const started = performance.now();
    const second = await stageInto(raw, lakeRoot);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(second.summary.rejected, 1);
    assert.equal(second.summary.conformed, 0);
    const record = readRejectRecords(second.config.rejectsDir).get('It_wide.csv');
    assert.equal(record?.error_type, 'too-many-columns');
    assert.match(record?.error ?? '', /^It_wide\.csv: its data table has 100,002 columns, more than the 1,000 a file may have; .*--max-columns/);
    assert.equal(readFileSync(lakeLayout(second.config).schemas, 'utf8'), schemasBefore);
    assert.deepEqual(await dataFileColumns(second.config.stageRoot), filesBefore);
    assert.ok(seconds < 30, `the refusal took ${seconds.toFixed(1)} s`);
    // --max-columns raises the limit (a config key and STRATA_MAX_COLUMNS read the same option).
    const raised = lakeConfig(raw, lakeRoot, { maxColumns: '200000' });
    assert.equal(raised.maxColumns, 200_000);
  });

  it('takes no column from a file that is refused after its worker staged it, in the schema or in any data file', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    writeItFile(raw, 'It_00.csv', 1_760_000_000);
    writeItFile(raw, 'It_01.csv', 1_760_000_001, ['Extra A', 'Extra B']);
    // Two more new columns would give It 10 data columns: refused by the run, after a worker has written it.
    writeItFile(raw, 'It_02.csv', 1_760_000_002, ['Other A', 'Other B']);
    for (let i = 3; i < 40; i++) writeItFile(raw, `It_${String(i).padStart(2, '0')}.csv`, 1_760_000_000 + i);
    const lake = await stageInto(raw, path.join(root, 'lake'), { maxColumns: '8' });
    assert.equal(readRejectRecords(lake.config.rejectsDir).get('It_02.csv')?.error_type, 'too-many-columns');
    assert.equal(lake.summary.ok, 39);
    const recorded = recordedColumns(lake.config.manifestPath);
    assert.ok(recorded.includes('extra_a'));
    assert.ok(!recorded.some((c) => c.startsWith('other')), recorded.join(','));
    const schemas = await dataFileColumns(lake.config.stageRoot);
    assert.equal(schemas.size, 39);
    for (const [file, columns] of schemas) assert.equal(columns, `${recorded.join(',')},`, file);
  });

  it('records a schema change only after the rewrite it needs, and the next run finishes a rewrite that was killed', { timeout: 600_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lakeRoot = path.join(root, 'lake');
    for (let i = 0; i < 150; i++) writeItFile(raw, `It_${String(i).padStart(3, '0')}.csv`, 1_760_000_000 + i);
    const first = await stageInto(raw, lakeRoot);
    const { manifestPath, stageRoot } = first.config;
    writeItFile(raw, 'It_new.csv', 1_760_001_000, ['Note (V)']);
    const killed = await stageInChild(raw, lakeRoot, 20);
    assert.equal(killed.killed, true, 'the run was killed while it rewrote the older files');
    assert.ok(!recordedColumns(manifestPath).includes('note_v'), 'schemas.json records the new column only once every file has it');
    assert.ok(existsSync(pendingSchemasPath(lakeLayout(first.config).schemas)), 'the schema the run was bringing the lake to is pending');
    const resumed = await stageInto(raw, lakeRoot);
    assert.ok(resumed.summary.conformed > 0);
    assert.ok(recordedColumns(manifestPath).includes('note_v'));
    assert.ok(!existsSync(pendingSchemasPath(lakeLayout(first.config).schemas)));
    const schemas = await dataFileColumns(stageRoot);
    assert.equal(schemas.size, 151);
    assert.equal(new Set(schemas.values()).size, 1, 'every file has the grown schema');
    assert.match([...schemas.values()][0]!, /,note_v,/);
    assert.equal((await stageInto(raw, lakeRoot)).summary.conformed, 0, 'and the next run has nothing left to rewrite');
  });

  it('rewrites the files of a procedure in memory that does not grow with their number', { timeout: 900_000 }, async (t) => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lakeRoot = path.join(root, 'lake');
    const wide = Array.from({ length: 60 }, (_, k) => `Sensor ${k} (V)`);
    for (let i = 0; i < 1200; i++) writeItFile(raw, `It_${String(i).padStart(4, '0')}.csv`, 1_760_000_000 + i, wide);
    await stageInto(raw, lakeRoot);
    writeItFile(raw, 'It_new.csv', 1_760_010_000, [...wide, 'Note (V)']);
    const run = await stageInChild(raw, lakeRoot);
    assert.equal(run.last?.['conformed'], 1200);
    t.diagnostic(`peak memory of the run that rewrote 1,200 files: ${run.last?.['maxRssMb']?.toFixed(0)} MB`);
    // A process staging one file and rewriting 1,200 holds about as much as one rewriting a few; DuckDB's cache of
    // the files it read had taken it past 450 MB here.
    assert.ok((run.last?.['maxRssMb'] ?? Infinity) < 330, `peak ${run.last?.['maxRssMb']?.toFixed(0)} MB`);
  });
});
