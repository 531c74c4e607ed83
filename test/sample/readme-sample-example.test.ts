// The README's processed-files log example, taken from README.md and run as written in an empty folder: every line
// exits 0, bronze-path prints the path its comment shows, and sample --once samples the recorded file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readmeSection, shellWords } from '../support/readme.js';
import { lastJson, runCli, type CliRun } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const SECTION = '### Processed-files log and samples of huge files';

/** The section's first indented block (the systemd unit further down is another), trailing `# comments` cut. */
function exampleLines(): string[] {
  const block = readmeSection(SECTION)
    .split('\n\n')
    .find((part) => part.trim() !== '' && part.split('\n').every((line) => line.startsWith('    ')));
  assert.ok(block, 'the section has an indented block of commands');
  return block.split('\n').map((line) => line.slice(4).replace(/\s+#\s.*$/, '').trim());
}

describe("the README's processed-files log example", () => {
  it('runs as written in an empty folder: every line exits 0, the bronze path is the one its comment shows, and the file is sampled', async () => {
    const lines = exampleLines();
    const commands = lines.filter((line) => line.startsWith('npx strata ')).map((line) => shellWords(line.slice('npx strata '.length)));
    assert.deepEqual(commands.map((c) => c[0]), ['bronze-path', 'record', 'sample']);
    const shown = lines.find((line) => line.startsWith('# '))?.slice(2).split(/\s+/)[0];
    const cwd = tempDir();
    const runs: CliRun[] = [];
    for (const line of lines) {
      if (line.startsWith('# ')) continue;
      if (!line.startsWith('npx strata ')) {
        execFileSync('bash', ['-c', line], { cwd });
        continue;
      }
      const run = await runCli(shellWords(line.slice('npx strata '.length)), { cwd });
      assert.equal(run.code, 0, `${line}\n${run.stderr}`);
      runs.push(run);
    }
    const [printed, , sampled] = runs;
    assert.equal(printed?.stdout, `${shown}\n`);
    assert.equal(lastJson<{ sampled: number; failed: number }>(sampled!).sampled, 1);
    const samples = commands[2]![commands[2]!.indexOf('--samples-dir') + 1]!;
    const names = readdirSync(path.join(cwd, samples)).filter((n) => !n.startsWith('.'));
    assert.deepEqual(names, [`${path.basename(shown!, '.csv')}_sample.csv`]);
    assert.match(readFileSync(path.join(cwd, samples, names[0]!), 'utf8'), /^t \(s\),I \(A\)\n0,1e-9\n/);
  });
});
