import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { discoverRawFiles, walkRawFiles, walkRawFolders } from './discover-raw-files.js';

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

  it('never stages a file through a symbolic link, least of all one to a file outside the raw root', () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, 'secret.csv'), 'x');
    mkdirSync(path.join(outside, 'folder'));
    writeFileSync(path.join(outside, 'folder', 'inner.csv'), 'x');
    const root = tempDir();
    writeFileSync(path.join(root, 'real.csv'), 'x');
    symlinkSync(path.join(outside, 'secret.csv'), path.join(root, 'link.csv'));
    symlinkSync(path.join(root, 'real.csv'), path.join(root, 'twice.csv'));
    symlinkSync(path.join(outside, 'folder'), path.join(root, 'linked-folder'));
    symlinkSync(path.join(outside, 'nowhere.csv'), path.join(root, 'dangling.csv'));
    assert.deepEqual(discoverRawFiles(root).map((f) => f.relPath), ['real.csv']);
  });

  it('lists tab-separated .tsv files and files whose name starts with a dot (`..csv`), but not `._` files or .txt notes', () => {
    const root = tempDir();
    for (const name of ['..csv', '.early.csv', '._late.csv', 'run.tsv', 'RUN2.TSV', 'notes.txt', 'run.csv.bak']) writeFileSync(path.join(root, name), 'x');
    assert.deepEqual(discoverRawFiles(root).map((f) => f.relPath), ['..csv', '.early.csv', 'RUN2.TSV', 'run.tsv']);
  });

  it('says so when the raw root does not exist', () => {
    assert.throws(() => discoverRawFiles('/no/such/folder'), /raw root \/no\/such\/folder does not exist/);
  });
});

describe('walkRawFiles', () => {
  it('yields the files as it walks in the order of their sorted relative paths, with names that sort around "/"', () => {
    const root = tempDir();
    const files = [
      'a.csv',
      'a/b.csv',
      'a-b/c.csv',
      'a.b/c.csv',
      'a b/c.csv',
      'a/ b.csv',
      'a/-b.csv',
      'a/B.csv',
      'a/b/c.csv',
      'a/b.c/d.csv',
      'a/b-c.csv',
      'A/b.csv',
      'Ä/b.csv',
      'é.csv',
      'e/é.csv',
      'e/f/g/h.csv',
      'e0.csv',
      'z/日本.csv',
      'z/😀.csv',
      'z/\uFFFD.csv',
      'z.csv',
    ];
    for (const f of files) {
      mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
      writeFileSync(path.join(root, f), 'x');
    }
    const walked: string[] = [];
    // Read one at a time: a file is yielded before the walk has listed every folder.
    for (const file of walkRawFiles(root)) walked.push(file.relPath);
    assert.deepEqual(walked, [...files].sort());
    assert.deepEqual(
      discoverRawFiles(root).map((f) => f.relPath),
      walked,
    );
  });

  it('walks only the folders given, each once however they nest, and nothing hidden, gone or outside the root', () => {
    const root = tempDir();
    for (const f of ['a/1.csv', 'a/b/2.csv', 'a/b/c/3.csv', 'ab/4.csv', 'd/5.csv', '.hidden/6.csv', 'top.csv']) {
      mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
      writeFileSync(path.join(root, f), 'x');
    }
    const walked = (folders: string[]) => [...walkRawFolders(root, folders)].map((f) => f.relPath);
    assert.deepEqual(walked(['a/b', 'a', 'a/b/c', 'ab']), ['a/1.csv', 'a/b/2.csv', 'a/b/c/3.csv', 'ab/4.csv']);
    assert.deepEqual(walked(['a/b/c', 'd', 'gone', '.hidden', '../x', 'a/../d']), ['a/b/c/3.csv', 'd/5.csv']);
    assert.deepEqual(walked(['d', '']), walked(['']));
    assert.deepEqual(walked(['']), [...walkRawFiles(root)].map((f) => f.relPath));
  });
});
