import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadProcedureCatalog } from '../schema/procedures-schema.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { stageFile, type StageFileContext } from './stage-file.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';
import { IT_COLUMNS, IT_HEADER } from '../../test/support/it-file-header.js';
import { isTempFile } from '../fs/atomic-file.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { publishRun } from './publish-run.js';

function context(stageRoot: string, writesDataFiles = false): StageFileContext {
  return {
    schemas: new Map(),
    catalog: loadProcedureCatalog(SHIPPED_PROCEDURES_YAML),
    stageRoot,
    extractionVersion: 'test',
    ingestedAt: new Date(),
    force: false,
    writesDataFiles,
    localTz: 'America/Santiago',
    strict: false,
    onlyYamlData: false,
    claimRunId: async () => true,
  };
}

describe('stageFile', () => {
  it('rejects a file it cannot read, naming the file and the reason, and writes nothing', async () => {
    const root = tempDir();
    // Root can read any file whatever its permissions, so the unreadable path is a folder named like a CSV;
    // for other users, a file without read permission is tried too.
    const folder = path.join(root, 'It2025-10-13_1.csv');
    mkdirSync(folder);
    const files = [{ absPath: folder, relPath: 'It2025-10-13_1.csv', size: 0, mtimeMs: 0 }];
    if (process.getuid?.() !== 0) {
      const locked = path.join(root, 'It2025-10-13_2.csv');
      writeFileSync(locked, '#Procedure: <x.It>\n');
      chmodSync(locked, 0o000);
      files.push({ absPath: locked, relPath: 'It2025-10-13_2.csv', size: 20, mtimeMs: 0 });
    }
    const ctx = context(path.join(root, 'stage'));
    for (const file of files) {
      const outcome = await stageFile({ file, previous: undefined }, ctx);
      assert.equal(outcome.kind, 'reject');
      if (outcome.kind !== 'reject') continue;
      assert.equal(outcome.errorType, 'unreadable');
      assert.match(outcome.error, new RegExp(`${file.relPath} cannot be read \\((EISDIR|EACCES)\\)`));
    }
  });

  it('in a local stage root, writes the data file hidden beside its final name, the same bytes, for the main thread to rename', async () => {
    const root = tempDir();
    const text = `${IT_HEADER}${IT_COLUMNS}0,1e-6,0.5,nan,21.5,0\n0.25,2e-6,0.5,nan,21.5,1\n`;
    const absPath = path.join(root, 'It2025-10-13_1.csv');
    writeFileSync(absPath, text);
    const file = { absPath, relPath: 'It2025-10-13_1.csv', size: Buffer.byteLength(text), mtimeMs: 0 };
    const sent = await stageFile({ file, previous: undefined }, context(path.join(root, 'sent')));
    const stageRoot = path.join(root, 'stage');
    const written = await stageFile({ file, previous: undefined }, context(stageRoot, true));
    assert.ok(sent.kind === 'ok' && sent.data.kind === 'bytes', 'without writesDataFiles the bytes come back');
    assert.ok(written.kind === 'ok' && written.data.kind === 'written', 'with it, a written file');
    const target = absoluteDataPath(stageRoot, written.row.path);
    assert.equal(path.dirname(written.data.path), path.dirname(target), 'in its run folder');
    assert.ok(isTempFile(path.basename(written.data.path)) && path.basename(written.data.path).startsWith('.'), 'under a hidden temp name');
    assert.deepEqual(readFileSync(written.data.path), Buffer.from(sent.data.bytes));
    assert.equal(existsSync(target), false, 'not at its name until published');
    const published = publishRun(written, loadProcedureCatalog(SHIPPED_PROCEDURES_YAML).parameterColumns, stageRoot);
    assert.equal(published.kind, 'ok');
    assert.deepEqual(readdirSync(path.dirname(target)), [path.basename(target)], 'renamed into place, nothing else left');
    assert.deepEqual(readFileSync(target), Buffer.from(sent.data.bytes));
  });

  it('in a local stage root it cannot write in, rejects the file naming it and the reason, and leaves nothing', async () => {
    const root = tempDir();
    const text = `${IT_HEADER}${IT_COLUMNS}0,1e-6,0.5,nan,21.5,0\n`;
    const absPath = path.join(root, 'It2025-10-13_1.csv');
    writeFileSync(absPath, text);
    // The stage root is a file: no run folder can be made in it.
    const stageRoot = path.join(root, 'stage');
    writeFileSync(stageRoot, '');
    const outcome = await stageFile({ file: { absPath, relPath: 'It2025-10-13_1.csv', size: Buffer.byteLength(text), mtimeMs: 0 }, previous: undefined }, context(stageRoot, true));
    assert.equal(outcome.kind, 'reject');
    assert.equal(outcome.kind === 'reject' && outcome.errorType, 'write-failed');
    assert.match(outcome.kind === 'reject' ? outcome.error : '', /^It2025-10-13_1\.csv: its data file could not be written to proc=It\/date=2025-10-13\/run_id=[0-9a-f]+\/part-000\.parquet: .*ENOTDIR/);
    assert.equal(readFileSync(stageRoot, 'utf8'), '');
  });
});
