// `strata stage`, `strata demo` and `strata infer-schema` as a user types them: exit codes, --json, messages.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { STAGING_FIELDS, STAGING_OPTIONS } from '../../src/config/staging-options.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

describe('strata stage (CLI)', () => {
  it('stages when node was started with V8 flags, which a worker thread refuses', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 6, seed: 5 });
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'stage-child.ts');
    const out = execFileSync(process.execPath, ['--max-semi-space-size=32', '--no-lazy-feedback-allocation', '--import', 'tsx', child, raw, path.join(root, 'lake')]);
    assert.equal((JSON.parse(out.toString().trim()) as { ok: number }).ok, 6);
  });

  it('prints a --json summary with the contract keys as the last stdout line, nothing else on stdout', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 5, seed: 11 });
    const run = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'lake/stage', '--json', '--settle', '0'], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    const summary = lastJson(run);
    for (const key of ['files', 'ok', 'skipped', 'rejected', 'rows', 'seconds']) assert.ok(key in summary, key);
    assert.equal(summary['ok'], 5);
    assert.ok(existsSync(path.join(root, 'lake', '_manifest', 'manifest.parquet')));
    assert.ok(existsSync(path.join(root, 'lake', '_manifest', 'events')));
  });

  it('prints plain progress lines when stderr is not a terminal, and nothing with --quiet', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 3, seed: 14 });
    const talkative = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'a/stage'], { cwd: root });
    assert.match(talkative.stderr, /staging files: 3\/3 \(100%\)/);
    assert.match(talkative.stderr, /Staged 3 of 3 files/);
    const quiet = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'b/stage', '--quiet'], { cwd: root });
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, '');
  });

  it('exits 0 with rejects, and 1 with --strict', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 2, seed: 12 });
    writeFileSync(path.join(root, 'raw', 'broken.csv'), '');
    const lenient = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'a/stage', '--quiet', '--settle', '0'], { cwd: root });
    assert.equal(lenient.code, 0);
    const strict = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'b/stage', '--strict', '--quiet', '--settle', '0'], { cwd: root });
    assert.equal(strict.code, 1);
    assert.equal(readdirSync(path.join(root, 'b', '_rejects')).length, 1);
  });

  it('documents every staging option of the table, and its Python-system alias, in `stage --help` and `pipeline --help`', async () => {
    for (const command of ['stage', 'pipeline']) {
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0);
      const text = help.stdout.replace(/\s+/g, ' ');
      for (const field of STAGING_FIELDS) {
        const { flag, help: line, alias } = STAGING_OPTIONS[field];
        assert.ok(text.includes(`${flag} ${line}`), `${command}: ${flag}`);
        if (alias) assert.ok(text.includes(`${alias.flag} ${alias.help}`), `${command}: ${alias.flag}`);
      }
    }
  });

  const usage: [string, string[], RegExp][] = [
    ['a missing raw root', ['--raw-root', 'nowhere', '--stage-root', 's'], /raw root .*nowhere/],
    ['a bad time zone', ['--raw-root', '.', '--stage-root', 's', '--local-tz', 'Mars/Olympus'], /Mars\/Olympus/],
    ['a bad worker count', ['--raw-root', '.', '--stage-root', 's', '--workers', 'many'], /--workers/],
    ['an unknown flag', ['--raw-root', '.', '--stage-root', 's', '--fast'], /unknown option '--fast'/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 with one line on ${what}`, async () => {
      const run = await runCli(['stage', ...args], { cwd: tempDir() });
      assert.equal(run.code, 2);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, message);
    });
  }

  it('exits 2 naming the file and the key when the procedures YAML is invalid', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'p.yml'), 'version: 1\nprocedures:\n  It:\n    data:\n      t_s: { type: decimal }\n');
    mkdirSync(path.join(root, 'raw')); // outputs inside the raw root are refused before the YAML is read
    const run = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 's', '--procedures-yaml', 'p.yml'], { cwd: root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /p\.yml is invalid at 'procedures\.It\.data\.t_s\.type'/);
  });
});

describe('strata pipeline', () => {
  it('exits 0 and writes no histories while every raw file is still settling', async () => {
    const root = tempDir();
    const corpus = await generateLabCorpus({ root: path.join(root, 'data', '01_raw'), files: 2, seed: 15 });
    const now = new Date();
    for (const f of corpus.files) utimesSync(path.join(root, 'data', '01_raw', f.relPath), now, now);
    const run = await runCli(['pipeline', '--json'], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(existsSync(path.join(root, 'data', '03_history')), false);
  });
});

describe('strata pipeline options', () => {
  it('takes the raw root from STRATA_RAW_ROOT over its default layout', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'elsewhere'), files: 2, seed: 16 });
    const run = await runCli(['pipeline', '--json'], { cwd: root, env: { STRATA_RAW_ROOT: 'elsewhere' } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastJson(run)['ok'], 2);
  });
});

describe('strata demo', () => {
  it('writes a generated corpus, stages it with its bad files rejected, and builds chip histories', async () => {
    const root = tempDir();
    const run = await runCli(['demo', root, '--files', '30', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run);
    assert.equal(summary['ok'], 30);
    assert.equal(summary['rejected'], 8);
    assert.ok((summary['histories'] as number) > 0);
    assert.ok(readdirSync(path.join(root, 'data', '03_history')).some((f) => f.endsWith('_history.csv')));
    assert.ok(existsSync(path.join(root, 'data', '02_stage', '_manifest', 'manifest.parquet')));
  });
});

describe('strata infer-schema', () => {
  it('proposes a YAML that stages the same files without a reject', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 40, seed: 13 });
    const infer = await runCli(['infer-schema', '--raw-root', 'raw', '--out', 'proposed.yml'], { cwd: root });
    assert.equal(infer.code, 0, infer.stderr);
    const stage = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'lake/stage', '--procedures-yaml', 'proposed.yml', '--json'], {
      cwd: root,
    });
    assert.equal(stage.code, 0, stage.stderr);
    assert.deepEqual([lastJson(stage)['ok'], lastJson(stage)['rejected']], [40, 0]);
  });
});
