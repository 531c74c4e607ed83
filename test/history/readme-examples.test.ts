// The README's history and "Coming from the Python system" examples, run as written on a lake of generated files.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { strataExamples } from '../support/readme.js';

/** The old system's history file for chip 67, from strata's own answer (so parity has something to compare). */
async function writeOldHistory(cwd: string): Promise<void> {
  const run = await runCli(['inspect-manifest', '--chip', '67', '--format', 'json', '--out', 'runs.json'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  const runs = JSON.parse(readFileSync(path.join(cwd, 'runs.json'), 'utf8')) as Record<string, unknown>[];
  const lines = runs.map((r, i) => {
    const source = String(r['source_file']);
    return [i + 1, r['date_local'], r['time_local'], r['proc'], '', `raw_data/${source}`, r['file_idx'], Date.parse(String(r['start_time_utc'])) / 1000, source.split('/')[0], r['has_light']].join(',');
  });
  mkdirSync(path.join(cwd, 'old', 'histories'), { recursive: true });
  mkdirSync(path.join(cwd, 'old', 'metadata'), { recursive: true });
  writeFileSync(path.join(cwd, 'old', 'histories', 'Alisson67_history.csv'), ['seq,date,time_hms,proc,summary,source_file,file_idx,start_time,day_folder,has_light', ...lines, ''].join('\n'));
}

describe('the README examples', () => {
  it('of "The manifest and chip histories" and "Coming from the Python system" run as written, exit 0', async () => {
    const cwd = tempDir();
    await generateLabCorpus({ root: path.join(cwd, 'data', '01_raw'), files: 40, days: 3, startDate: '2025-10-13', chips: [{ group: 'Alisson', number: 67 }, { group: 'Alisson', number: 75 }] });
    const stage = strataExamples('### `strata stage`: raw files into the lake')[0]!;
    assert.deepEqual(stage.slice(0, 1), ['stage']);
    const staged = await runCli([...stage, '--settle', '0'], { cwd });
    assert.equal(staged.code, 0, staged.stderr);
    await writeOldHistory(cwd);
    const examples = [...strataExamples('### The manifest and chip histories'), ...strataExamples('## Coming from the Python system')];
    assert.ok(examples.length >= 10);
    for (const args of examples) {
      const run = await runCli(args, { cwd, env: { STRATA_SETTLE: '0' } });
      assert.equal(run.code, 0, `strata ${args.join(' ')}: ${run.stderr}`);
    }
  });
});
