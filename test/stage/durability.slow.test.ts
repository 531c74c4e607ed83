// Issue 10, items 17 and 19: a power cut after a stage run loses nothing it recorded, and each event says when
// its own file ended. The first is read off the system calls (strace): the data files reach the disk before the
// manifest that names them is renamed into place (a few files: each file and its run folder fsynced; a large batch:
// one syncfs of the lake), the manifest's temp file is fsynced before that rename and its folder after it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { stageRawFiles } from '../../src/pipeline/stage-raw-files.js';
import { lakeConfig } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'stage-child.ts');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('a stage run on the disk', () => {
  it('syncs its data files before the manifest names them, and the manifest before and after its rename', { skip: hasStrace ? false : 'strace is not installed' }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lake = path.join(root, 'lake');
    await generateLabCorpus({ root: raw, files: 6, seed: 1717, badFiles: false });
    const log = path.join(root, 'strace.log');
    const traced = spawnSync(
      'strace',
      ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,syncfs,rename,renameat,renameat2', '-o', log, process.execPath, '--import', 'tsx', CHILD, raw, lake],
      { encoding: 'utf8' },
    );
    assert.equal(traced.status, 0, traced.stderr);
    const calls = readFileSync(log, 'utf8').split('\n');
    const at = (test: (line: string) => boolean, what: string) => {
      const i = calls.findIndex(test);
      assert.ok(i >= 0, `no ${what} in the trace`);
      return i;
    };
    const manifest = path.join(lake, '_manifest', 'manifest.parquet');
    const published = at((l) => /rename/.test(l) && l.includes(`"${manifest}"`), 'rename onto the manifest');
    const dataRenames = calls.flatMap((l, i) => (/rename/.test(l) && /part-000\.parquet"/.test(l) ? [i] : []));
    assert.equal(dataRenames.length, 6, 'each run file is published by one rename');
    // A batch of six files: each one, and the run folder that names it, fsynced after its rename and before the manifest's.
    for (const renamed of dataRenames) {
      const file = /rename\w*\(.*"([^"]+part-000\.parquet)"\)/.exec(calls[renamed]!)?.[1];
      assert.ok(file, calls[renamed]);
      const fileSynced = calls.findIndex((l, i) => i > renamed && /fsync\(/.test(l) && l.includes(`<${file}>`));
      const folderSynced = calls.findIndex((l, i) => i > renamed && /fsync\(/.test(l) && l.includes(`<${path.dirname(file)}>`));
      assert.ok(fileSynced > renamed && fileSynced < published, `${file} reaches the disk before the manifest names it`);
      assert.ok(folderSynced > renamed && folderSynced < published, `the folder naming ${file} reaches the disk before the manifest names it`);
    }
    const tempOf = /rename\w*\((?:AT_FDCWD(?:<[^>]*>)?, )?"([^"]+)"/.exec(calls[published]!)?.[1];
    assert.ok(tempOf, calls[published]);
    assert.ok(calls.slice(0, published).some((l) => /f(data)?sync\(/.test(l) && l.includes(`<${tempOf}>`)), 'the manifest temp file is fsynced before its rename');
    assert.ok(calls.slice(published).some((l) => /fsync\(/.test(l) && l.includes(`<${path.dirname(manifest)}>`)), 'the manifest folder is fsynced after the rename');
  });

  it('stamps each event with the time its own file ended', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 5, seed: 1719, badFiles: false });
    const config = lakeConfig(path.join(root, 'raw'), root);
    let tick = Date.parse('2026-01-01T00:00:00Z');
    await stageRawFiles(config, { now: () => new Date((tick += 1000)) });
    const [events] = readdirSync(config.eventsDir);
    const stamps = readFileSync(path.join(config.eventsDir, events!), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { ts: string }).ts);
    assert.equal(stamps.length, 5);
    assert.equal(new Set(stamps).size, 5, `one time per event: ${stamps.join(', ')}`);
    assert.deepEqual([...stamps].sort(), stamps, 'in the order the files ended');
  });
});
