// The rewrite a new column needs: recorded in schemas.json only once every file has it (a run killed during it
// leaves it pending, and the next run finishes it), and in memory that does not grow with the number of files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { pendingSchemasPath } from '../../src/lake/procedure-schemas.js';
import { tempDir } from '../support/temp-dir.js';
import { stageInto } from '../support/stage-lake.js';
import { dataFileColumns, recordedColumns, writeItFile } from './support/it-files.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'conform-child.ts');

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

describe("the rewrite of a procedure's older files", () => {
  it('records a schema change only after the rewrite it needs, and the next run finishes a rewrite that was killed', { timeout: 600_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lakeRoot = path.join(root, 'lake');
    for (let i = 0; i < 150; i++) writeItFile(raw, `It_${String(i).padStart(3, '0')}.csv`, 1_760_000_000 + i);
    const first = await stageInto(raw, lakeRoot);
    const { stageRoot } = first.config;
    const schemasFile = lakeLayout(first.config).schemas;
    writeItFile(raw, 'It_new.csv', 1_760_001_000, ['Note (V)']);
    const killed = await stageInChild(raw, lakeRoot, 20);
    assert.equal(killed.killed, true, 'the run was killed while it rewrote the older files');
    assert.ok(!recordedColumns(schemasFile).includes('note_v'), 'schemas.json records the new column only once every file has it');
    assert.ok(existsSync(pendingSchemasPath(schemasFile)), 'the schema the run was bringing the lake to is pending');
    const resumed = await stageInto(raw, lakeRoot);
    assert.ok(resumed.summary.conformed > 0);
    assert.ok(recordedColumns(schemasFile).includes('note_v'));
    assert.ok(!existsSync(pendingSchemasPath(schemasFile)));
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
