// The README's loader example, run as written in a fresh folder; and what a user who skips its copy step is told.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/version.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

/** The indented command lines of the README section "Loading periods into a stage database", comments cut. */
function exampleLines(): string[] {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const section = readme.split('### Loading periods into a stage database')[1]?.split(/\n#{2,3} /)[0] ?? '';
  const block = section.split('\n\n').find((part) => part.split('\n').every((line) => line.startsWith('    ')));
  assert.ok(block, 'the section has an indented block of commands');
  return block.split('\n').map((line) => line.replace(/\s+#\s.*$/, '').trim());
}

/** A folder holding a copy of examples/, as a checkout has it. */
function checkoutLike(): string {
  const dir = tempDir();
  cpSync(path.join(projectRoot, 'examples'), path.join(dir, 'examples'), { recursive: true });
  return dir;
}

describe("the README's loader example", () => {
  it('runs as written: every line exits 0 and the period lands in stage, core and mart', async () => {
    const dir = checkoutLike();
    const lines = exampleLines();
    assert.ok(lines.length >= 6, `found ${lines.length} lines`);
    for (const line of lines) {
      if (line.startsWith('npx strata ')) {
        const run = await runCli(line.slice('npx strata '.length).split(/\s+/), { cwd: dir });
        assert.equal(run.code, 0, `${line}\n${run.stderr}`);
      } else {
        execFileSync('bash', ['-c', line], { cwd: dir });
      }
    }
    assert.ok(existsSync(path.join(dir, 'data', 'stage', 'cleaned', 'citizens', '2024-01.parquet')));
    assert.ok(existsSync(path.join(dir, 'data', 'strata.duckdb')));
  });

  it("says 'no landed files' in words when the copy step is skipped, and 'run validate first' before load, not DuckDB's IO error", async () => {
    const dir = checkoutLike();
    const flags = ['--datasets', 'examples/datasets/datasets.yml', '--data-root', 'data'];
    for (const command of ['ingest', 'validate']) {
      const run = await runCli([command, ...flags], { cwd: dir });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /no landed files under .*data\/landed: put the files to check there \(to try the examples: mkdir -p data && cp -r examples\/datasets\/landed data\/\)/);
    }
    assert.equal(existsSync(path.join(dir, 'data', 'strata.duckdb')), false, 'no database made for nothing');
    const load = await runCli(['load', '--dataset', 'citizens', '--period', '2024-01', ...flags], { cwd: dir });
    assert.equal(load.code, 1);
    assert.match(load.stderr, /there is no cleaned file of dataset 'citizens' for period 2024-01 \(.*2024-01\.parquet\): run `strata validate` on its landed file first/);
    assert.doesNotMatch(load.stderr, /IO Error|read_parquet/);
  });
});
