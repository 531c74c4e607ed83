// The storage suite on a folder, then what only a folder does: temp files, hard links, empty folders.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openLakeStorage } from '../../src/storage/open-lake-storage.js';
import { tempDir } from '../support/temp-dir.js';
import { registerLakeStorageSuite } from './lake-storage.case.js';

registerLakeStorageSuite('a lake in a folder', {
  freshLocation: () => path.join(tempDir('strata-storage-'), 'lake'),
  open: (location) => openLakeStorage(location),
  childEnvironment: () => process.env,
});

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('a lake in a folder, on its own', () => {
  const RUN = 'proc=It/date=2024-01-01/run_id=r1/part-000.parquet';

  it('writes the layout as plain files, so that a folder reader finds proc=/date=/run_id=/, and leaves no temp file', async () => {
    const root = tempDir();
    const storage = await openLakeStorage(root);
    await storage.put(RUN, new Uint8Array([1, 2, 3]));
    assert.deepEqual(await storage.putIfAbsent(RUN.replace('r1', 'r2'), new Uint8Array([4])), { kind: 'written' });
    assert.deepEqual(await storage.putIfAbsent(RUN, new Uint8Array([5])), { kind: 'exists' });
    assert.deepEqual(filesUnder(root), [RUN, RUN.replace('r1', 'r2')]);
  });

  it("an unfinished write's temp file is not an object: list skips it", async () => {
    const root = tempDir();
    const storage = await openLakeStorage(root);
    await storage.put(RUN, new Uint8Array([1]));
    writeFileSync(path.join(root, 'proc=It/date=2024-01-01/run_id=r1/.part-001.parquet.strata-tmp-123-abcdef01'), 'half');
    const listed: string[] = [];
    for await (const object of storage.list()) listed.push(object.path);
    assert.deepEqual(listed, [RUN]);
  });

  it('a delete removes the folders it left empty, up to the root and not the root', async () => {
    const root = tempDir();
    const storage = await openLakeStorage(root);
    await storage.put(RUN, new Uint8Array([1]));
    await storage.put('proc=It/date=2024-01-02/run_id=r9/part-000.parquet', new Uint8Array([1]));
    await storage.delete(RUN);
    assert.equal(existsSync(path.join(root, 'proc=It/date=2024-01-01')), false);
    assert.equal(existsSync(path.join(root, 'proc=It/date=2024-01-02/run_id=r9')), true);
    await storage.delete('proc=It/date=2024-01-02/run_id=r9/part-000.parquet');
    assert.deepEqual(readdirSync(root), []);
  });

  it('a folder in place of an object is no object: get and head are null', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'proc=It'), { recursive: true });
    const storage = await openLakeStorage(root);
    assert.equal(await storage.get('proc=It'), null);
    assert.equal(await storage.head('proc=It'), null);
  });
});
