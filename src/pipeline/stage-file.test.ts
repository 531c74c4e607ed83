import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadProcedureCatalog } from '../schema/procedures-schema.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { stageFile, type StageFileContext } from './stage-file.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';

function context(stageRoot: string): StageFileContext {
  return {
    schemas: new Map(),
    catalog: loadProcedureCatalog(SHIPPED_PROCEDURES_YAML),
    stageRoot,
    extractionVersion: 'test',
    ingestedAt: new Date(),
    force: false,
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
});
