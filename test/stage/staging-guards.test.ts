// Guards around staging that a new user trips over: quoted header values, future mtimes, outputs inside the raw root.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { runCli } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

function labFile(information: string, group = 'Alisson'): string {
  return (
    `#Procedure: <laser_setup.procedures.It.It>\n#Parameters:\n#\tChip group name: ${group}\n#\tChip number: 71\n` +
    `#\tInformation: ${information}\n#\tLaser voltage: 0 V\n#\tLaser wavelength: 455\n#\tVG: -3 V\n#Metadata:\n` +
    `#\tStart time: 1760371684.3\n#Data:\nt (s),I (A)\n0,1e-9\n1,2e-9\n2,3e-9\n`
  );
}

async function manifestOf(manifestPath: string) {
  return readManifest(await (await Engine.open()).connect(), manifestPath);
}

describe('staging guards', () => {
  for (const [what, information, group] of [
    ['a quoted call in Information', 'x("a","b")', 'Alisson'],
    // (A formula as the chip group is a reject now: a chip group names files. test/golden/unsafe-names shows it.)
    ['a spreadsheet formula in Information', '=HYPERLINK("http://x","y")', 'Alisson'],
    ['an unbalanced quote', '5" wafer, "cut', 'Alisson'],
  ] as const) {
    it(`stages a file whose header holds ${what}: header values never move where the table starts`, async () => {
      const root = tempDir();
      mkdirSync(path.join(root, 'raw'));
      writeFileSync(path.join(root, 'raw', 'Alisson71_It_1.csv'), labFile(information, group));
      const lake = await stageInto(path.join(root, 'raw'), root);
      assert.equal(lake.summary.rejected, 0, JSON.stringify(lake.summary.rejects));
      const [run] = await manifestOf(lake.config.manifestPath);
      assert.equal(run?.rows, 3);
      assert.equal(run?.['information'], information);
      if (group === 'Alisson') assert.equal(run?.chip_name, 'Alisson71');
      // The reader's copy is gone: only the run's own files are left in the lake.
      assert.deepEqual(readdirSync(lake.config.stageRoot).filter((n) => n.startsWith('.')), []);
    });
  }

  it('stages a file whose mtime is in the future, with a warning, instead of waiting for that time', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'raw'));
    const file = path.join(root, 'raw', 'Alisson71_It_1.csv');
    writeFileSync(file, labFile('plain'));
    const tomorrow = new Date(Date.now() + 86_400_000);
    utimesSync(file, tomorrow, tomorrow);
    const lake = await stageInto(path.join(root, 'raw'), root, { settleSeconds: 10 });
    assert.equal(lake.summary.settling, 0);
    assert.equal(lake.summary.ok, 1);
    const [run] = await manifestOf(lake.config.manifestPath);
    assert.match(run?.warnings ?? '', /modification time .* is in the future/);
  });

  const overlapping: [string, string[], RegExp][] = [
    ['stage --raw-root D --stage-root D', ['stage', '--raw-root', 'd', '--stage-root', 'd'], /the stage root .* overlaps the raw root/],
    ['stage with the stage root inside the raw root', ['stage', '--raw-root', 'd', '--stage-root', 'd/lake/stage'], /overlaps the raw root/],
    ['stage with the raw root inside the stage root', ['stage', '--raw-root', 'd/raw', '--stage-root', 'd'], /overlaps the raw root/],
    ['pipeline with its outputs inside the raw root', ['pipeline', '--data-root', 'd', '--raw-root', 'd'], /overlaps the raw root/],
  ];
  for (const [what, args, message] of overlapping) {
    it(`refuses ${what} as a usage error (exit 2), writing nothing`, async () => {
      const root = tempDir();
      mkdirSync(path.join(root, 'd', 'raw'), { recursive: true });
      writeFileSync(path.join(root, 'd', 'raw', 'Alisson71_It_1.csv'), labFile('plain'));
      const run = await runCli([...args, '--settle', '0', '--quiet'], { cwd: root });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    });
  }
});
