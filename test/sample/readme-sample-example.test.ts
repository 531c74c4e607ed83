// The README's processed-files log example, taken from README.md and run as written: bronze-path prints the path
// its comment shows, record logs the move, sample --once samples it.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { indentedLines, readmeSection, shellWords } from '../support/readme.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const SECTION = '### Processed-files log and samples of huge files';

describe("the README's processed-files log example", () => {
  it('runs as written: the bronze path is the one its comment shows, and the recorded file is sampled', async () => {
    const section = readmeSection(SECTION);
    const [bronzePath, record, sample, ...more] = indentedLines(section, 'npx strata ').map(shellWords);
    assert.deepEqual([bronzePath?.[0], record?.[0], sample?.[0], more.length], ['bronze-path', 'record', 'sample', 0]);
    const shown = indentedLines(section, '# ')[0]?.split(/\s+/)[0];
    const cwd = tempDir();

    const printed = await runCli(bronzePath!, { cwd });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${shown}\n`);

    // The mover's own work, which the example leaves to it: the raw file exists, and is moved to its bronze path.
    const [raw, bronze] = [record![1]!, record![2]!];
    assert.equal(bronze, shown, 'record logs the path bronze-path gave');
    mkdirSync(path.join(cwd, path.dirname(raw)), { recursive: true });
    writeFileSync(path.join(cwd, raw), ['#Procedure: <demo.It>', 't (s),I (A)', ...Array.from({ length: 300 }, (_, i) => `${i},${i * 1e-9}`), ''].join('\n'));
    mkdirSync(path.join(cwd, path.dirname(bronze)), { recursive: true });
    copyFileSync(path.join(cwd, raw), path.join(cwd, bronze));

    const recorded = await runCli(record!, { cwd });
    assert.equal(recorded.code, 0, recorded.stderr);
    const sampled = await runCli(sample!, { cwd });
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.equal(lastJson<{ sampled: number }>(sampled).sampled, 1);
    const samplesDir = path.join(cwd, sample![sample!.indexOf('--samples-dir') + 1]!);
    assert.ok(existsSync(samplesDir));
    assert.deepEqual(readdirSync(samplesDir).filter((n) => !n.startsWith('.')), [`${path.basename(bronze, '.csv')}_sample.csv`]);
  });
});
