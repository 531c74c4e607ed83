// End to end on the real lab corpus (when present): stage it, then each chip's history must list exactly the
// runs whose header names that chip, in start-time order.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/version.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';

const corpus = path.resolve(projectRoot, '../shared/corpus/lab');
const stager = path.join(projectRoot, 'src', 'pipeline', 'stage-raw-files.ts');
const proceduresYaml = SHIPPED_PROCEDURES_YAML;
const skip = !existsSync(corpus)
  ? `the lab corpus is not at ${corpus}`
  : !existsSync(stager) || !existsSync(proceduresYaml)
    ? 'the staging code or its procedures YAML is not in this checkout'
    : false;

interface HeaderRun {
  readonly file: string;
  readonly chip: number | null;
  readonly start: number;
  readonly idx: number;
}

/** What a person grepping the headers would find: chip number, start time, trailing file number. */
function readHeaders(root: string): HeaderRun[] {
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.csv')).sort();
  return files.map((file) => {
    const head = readFileSync(path.join(root, file), 'utf8').slice(0, 4000).split('#Data:')[0] ?? '';
    const chip = /Chip number:\s*(\d+)/.exec(head)?.[1];
    const start = /Start time:\s*([\d.]+)/.exec(head)?.[1];
    const idx = /_(\d+)\.csv$/.exec(file)?.[1];
    return { file: file.split(path.sep).join('/'), chip: chip ? Number(chip) : null, start: Number(start ?? NaN), idx: Number(idx ?? -1) };
  });
}

describe('histories of the lab corpus', { skip }, () => {
  it('lists for chips 67, 72, 75 and 81 exactly the runs whose header names the chip, in start-time order', async () => {
    const { loadStagingConfig } = await import('../../src/config/staging-config.js');
    const { stageRawFiles } = await import('../../src/pipeline/stage-raw-files.js');
    const out = tempDir();
    const config = loadStagingConfig({ flags: { rawRoot: corpus, stageRoot: path.join(out, '02_stage', 'raw_measurements'), settleSeconds: 0 }, env: {}, cwd: out });
    const summary = await stageRawFiles(config);
    assert.equal(summary.rejected, 0);
    const headers = readHeaders(corpus);
    // Chip 72 appears in no header of this corpus: no history, not a neighbour's runs, and a sentence that says so.
    assert.ok(headers.some((h) => h.chip === 67) && headers.some((h) => h.chip === 81));
    for (const chip of [67, 72, 75, 81]) {
      const expected = headers
        .filter((h) => h.chip === chip)
        .sort((a, b) => a.start - b.start || a.idx - b.idx)
        .map((h) => h.file);
      const run = await runCli(['history', String(chip), '--manifest', config.manifestPath, '--format', 'json']);
      if (expected.length === 0) {
        assert.equal(run.code, 1, `chip ${chip}: ${run.stderr}`);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, new RegExp(`there is no chip ${chip} in `));
        continue;
      }
      assert.equal(run.code, 0, run.stderr);
      const history = JSON.parse(run.stdout) as { seq: number; source_file: string }[];
      assert.deepEqual(history.map((r) => r.source_file), expected, `chip ${chip}`);
      assert.deepEqual(history.map((r) => r.seq), expected.map((_, i) => i + 1));
    }
    const validation = await runCli(['validate-manifest', '--manifest', config.manifestPath]);
    assert.equal(validation.code, 0, validation.stderr);
  });
});
