import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from './demo/generate-lab-corpus.js';
import { packageVersion, projectRoot } from './version.js';
import { tempDir } from '../test/support/temp-dir.js';

describe('the version strata records', () => {
  it('is the package version, and no command runs git for it (stage, query, history)', async () => {
    const dir = tempDir();
    // A `git` first on the PATH that leaves a mark when anything runs it.
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const mark = path.join(dir, 'git-ran');
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\ntouch '${mark}'\necho v9.9.9-fake\n`);
    chmodSync(path.join(bin, 'git'), 0o755);
    await generateLabCorpus({ root: path.join(dir, 'raw'), files: 3, seed: 3 });
    const script = `const { main } = await import(${JSON.stringify(path.join(projectRoot, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, ...args], {
        cwd: projectRoot, // the stage workers resolve tsx from here
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    const stageRoot = path.join(dir, 'lake', 'stage');
    run('stage', '--raw-root', path.join(dir, 'raw'), '--stage-root', stageRoot, '--quiet');
    const versions = run('query', 'SELECT DISTINCT extraction_version AS v FROM runs', '--stage-root', stageRoot, '--format', 'csv');
    assert.equal(versions, `v\n${packageVersion()}\n`);
    const chip = run('query', 'SELECT min(chip_number) AS c FROM runs', '--stage-root', stageRoot, '--format', 'csv').split('\n')[1]!;
    assert.match(run('history', chip, '--manifest', path.join(dir, 'lake', '_manifest', 'manifest.parquet'), '--format', 'csv'), /^seq,/);
    assert.equal(existsSync(mark), false, 'git was run');
  });
});
