import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { discoverRawFiles } from './discover-raw-files.js';

describe('discoverRawFiles', () => {
  it('lists every *.csv recursively in sorted order, skipping hidden folders, ._ files and in-flight files', () => {
    const root = tempDir();
    const files = [
      '2025-10-13/It2025-10-13_2.csv',
      '2025-10-13/It2025-10-13_10.csv',
      'Alisson_04_sept/IVg2025-09-04_1.CSV',
      '.git/x.csv',
      '.venv/lib/y.csv',
      '__pycache__/z.csv',
      '.ipynb_checkpoints/It-checkpoint.csv',
      'Alisson_04_sept/._It2025-09-04_1.csv',
      'Alisson_04_sept/temp_It2025-09-04_2.csv',
      'notes.txt',
    ];
    for (const f of files) {
      mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
      writeFileSync(path.join(root, f), 'x');
    }
    assert.deepEqual(
      discoverRawFiles(root).map((f) => f.relPath),
      ['2025-10-13/It2025-10-13_10.csv', '2025-10-13/It2025-10-13_2.csv', 'Alisson_04_sept/IVg2025-09-04_1.CSV'],
    );
  });

  it('never follows a symbolic-link loop', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'day'));
    writeFileSync(path.join(root, 'day', 'a.csv'), 'x');
    symlinkSync(root, path.join(root, 'day', 'loop'));
    assert.deepEqual(discoverRawFiles(root).map((f) => f.relPath), ['day/a.csv']);
  });

  it('says so when the raw root does not exist', () => {
    assert.throws(() => discoverRawFiles('/no/such/folder'), /raw root \/no\/such\/folder does not exist/);
  });
});
