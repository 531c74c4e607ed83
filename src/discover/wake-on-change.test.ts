import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { wakeOnChange } from './wake-on-change.js';

/** Resolves with what ended the wait: the file system's word or the time running out. */
async function waited(wake: ReturnType<typeof wakeOnChange>, ms: number): Promise<'woken' | 'timed out'> {
  const start = performance.now();
  await wake.wait(ms, new AbortController().signal);
  return performance.now() - start < ms - 5 ? 'woken' : 'timed out';
}

describe('wakeOnChange', () => {
  it('wakes a wait when a file appears under the root, in a folder made after the watch began too, and says in which folder', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, '2025-10-13'));
    const wake = wakeOnChange(root);
    try {
      await wake.ready;
      assert.equal(wake.watching(), true);
      assert.equal(wake.takeChangedFolders(), undefined);
      const first = waited(wake, 30_000);
      writeFileSync(path.join(root, '2025-10-13', 'It2025-10-13_1.csv'), 'x');
      assert.equal(await first, 'woken');
      // A write can come as more than one event, some after the wake: what is taken is that file's folder.
      assert.deepEqual(wake.takeChangedFolders(), ['2025-10-13']);
      mkdirSync(path.join(root, '2025-10-14'));
      await waited(wake, 2_000); // the new folder's own event, let go by first
      assert.ok(wake.takeChangedFolders()?.includes(''), 'a new folder is a change in the root, which holds it');
      const second = waited(wake, 30_000);
      writeFileSync(path.join(root, '2025-10-14', 'It2025-10-14_1.csv'), 'x');
      assert.equal(await second, 'woken');
      mkdirSync(path.join(root, '.incoming', 'deep'), { recursive: true });
      writeFileSync(path.join(root, '.incoming', 'deep', 'It2025-10-14_2.csv'), 'x');
      await waited(wake, 500);
      const changed = wake.takeChangedFolders() ?? [];
      assert.ok(changed.includes(''), 'the hidden folder is new in the root');
      assert.deepEqual(changed.filter((f) => f.includes('incoming')), [], 'nothing inside a hidden folder, which the walk skips');
    } finally {
      wake.close();
    }
  });

  it('with no root, waits out its time unless woken by hand', async () => {
    const wake = wakeOnChange(undefined);
    await wake.ready;
    assert.equal(wake.watching(), false);
    assert.equal(await waited(wake, 50), 'timed out');
    const woken = waited(wake, 30_000);
    wake.now();
    assert.equal(await woken, 'woken');
    wake.close();
  });

  it('a root that does not exist leaves polling alone to do the work', async () => {
    const wake = wakeOnChange(path.join(tempDir(), 'not-there'));
    await wake.ready;
    assert.equal(wake.watching(), false);
    assert.equal(await waited(wake, 50), 'timed out');
    wake.close();
  });
});
