// strata used as a library, through its package entry point (package.json main/exports), as a user's script would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../src/version.js';
import { tempDir } from './support/temp-dir.js';

describe('the library entry point', () => {
  it('is what package.json points at, and stages a generated corpus through the public API', async () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { main: string };
    assert.equal(pkg.main, 'dist/src/index.js');
    const strata = await import('../src/index.js');
    const root = tempDir();
    await strata.generateLabCorpus({ root: path.join(root, 'raw'), files: 3, seed: 21 });
    const config = strata.loadStagingConfig({ flags: { rawRoot: 'raw', stageRoot: 'lake/stage', settleSeconds: 0 }, env: {}, cwd: root });
    const summary = await strata.stageRawFiles(config);
    assert.equal(summary.ok, 3);
  });
});
