import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { generateLabCorpus } from '../demo/generate-lab-corpus.js';
import { discoverRawFiles } from '../discover/discover-raw-files.js';
import { loadProcedureCatalog } from '../schema/procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';
import type { WorkerOutcome } from './stage-file.js';
import { startStageWorkers } from './stage-workers.js';

describe('startStageWorkers', () => {
  const workers = startStageWorkers(1);
  after(() => workers.close());

  it('stages the largest files first, so that the files left at the end are the quick ones', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 12, seed: 5, badFiles: false, rowsPerFile: [20, 2_000] });
    const files = discoverRawFiles(path.join(root, 'raw'));
    assert.ok(new Set(files.map((f) => f.size)).size >= 6, 'files of many sizes');
    const staged: WorkerOutcome[] = [];
    workers.begin(
      {
        catalog: loadProcedureCatalog(SHIPPED_PROCEDURES_YAML),
        chipParams: undefined,
        options: {
          stageRoot: path.join(root, 'stage'),
          extractionVersion: 'test',
          ingestedAtMs: Date.now(),
          force: false,
          writesDataFiles: false,
          localTz: 'America/Santiago',
          strict: false,
          onlyYamlData: false,
          maxColumns: 500,
        },
        schemas: [],
      },
      { onOutcome: (outcome) => staged.push(outcome), claimRunId: () => true },
    );
    // Given in path order; one worker stages them one after the other, in the order it was sent them.
    await workers.run(files.map((file) => ({ file, previous: undefined, contested: false })));
    assert.deepEqual(staged.map((o) => o.kind), files.map(() => 'ok'));
    const sizes = staged.map((o) => o.file.size);
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
    assert.notDeepEqual(files.map((f) => f.size), sizes, 'not the order they were given in');
  });
});
