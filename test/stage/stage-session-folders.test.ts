// A resident stager's pass may walk only some folders of the raw root (those the file system said changed): it
// stages what they hold, and only their runs can be gone; the runs in the other folders stay as they are.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { walkRawFiles, walkRawFolders } from '../../src/discover/discover-raw-files.js';
import { readManifestIndex } from '../../src/lake/manifest-index.js';
import { openStageSession } from '../../src/pipeline/stage-raw-files.js';
import { lakeConfig } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

describe('a stage session pass over some folders', () => {
  it('stages what they hold, says gone only of their runs, and leaves the others alone', async () => {
    const root = tempDir();
    const generated = path.join(root, 'generated');
    await generateLabCorpus({ root: generated, files: 16, seed: 7, badFiles: false });
    const made = readdirSync(generated, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();
    assert.equal(made.length, 16);
    // Three folders of files, the last of which arrives later.
    const raw = path.join(root, 'raw');
    const arrive = (day: string, files: readonly string[]) => {
      mkdirSync(path.join(raw, day), { recursive: true });
      for (const f of files) cpSync(path.join(generated, f), path.join(raw, day, path.basename(f)));
    };
    arrive('bench-a', made.slice(0, 6));
    arrive('bench-b', made.slice(6, 11));
    const config = lakeConfig(raw, path.join(root, 'lake'));
    const session = await openStageSession(config, {});
    try {
      const whole = await session.pass(walkRawFiles(raw));
      assert.deepEqual({ ok: whole.ok, rejected: whole.rejected }, { ok: 11, rejected: 0 });
      const staged = whole.ok;
      arrive('bench-c', made.slice(11));
      // One run of the first folder loses its file: a walk of that folder says so, a walk of the new one does not.
      rmSync(path.join(raw, 'bench-a', path.basename(made[0]!)));
      const partial = await session.pass(walkRawFolders(raw, ['bench-c']), ['bench-c']);
      assert.deepEqual({ ok: partial.ok, gone: partial.gone, rejected: partial.rejected }, { ok: 5, gone: 0, rejected: 0 });
      const first = await session.pass(walkRawFolders(raw, ['bench-a']), ['bench-a']);
      assert.deepEqual({ ok: first.ok, gone: first.gone }, { ok: 0, gone: 1 });
      // The same files, without saying which folders they are: every run outside them would count as gone.
      const unsaid = await session.pass(walkRawFolders(raw, ['bench-c']));
      assert.deepEqual({ ok: unsaid.ok, gone: unsaid.gone }, { ok: 0, gone: staged });
    } finally {
      await session.close();
    }
    const index = await readManifestIndex(path.join(root, 'lake', '_manifest', 'manifest.parquet'));
    assert.equal(index.size, 16);
  });
});
