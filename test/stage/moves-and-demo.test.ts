// A raw file moved to another folder: its run follows it. A deleted one: its run stays and is reported. The demo's
// own lake validates clean (no empty run folders left by rejects).
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { validateManifest } from '../../src/lake/validate-manifest.js';
import { chipHistory } from '../../src/history/chip-history.js';
import { openManifest } from '../../src/history/manifest-query.js';
import { tempDir } from '../support/temp-dir.js';
import { withConn } from '../support/with-duckdb.js';
import { stageInto } from '../support/stage-lake.js';
import { runCli } from '../support/run-cli.js';


describe('raw files that move or go', () => {
  it('keeps one run for a moved file, under its new path, with the chip history unchanged; reports a deleted one', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 6, seed: 31, procedures: ['It'] });
    const lakeRoot = path.join(root, 'lake');
    const first = await stageInto(raw, lakeRoot);
    const before = await withConn((conn) => readManifest(conn, first.config.manifestPath));
    const moved = corpus.files[0]!;
    const chip = before.find((r) => r.source_file === moved.relPath)!.chip_number!;
    const history = async () => {
      const manifest = await openManifest(first.config.manifestPath);
      try {
        return (await chipHistory(manifest, { chip, localTz: 'America/Santiago' })).runs.map((r) => [r.seq, r.proc, String(r.date_local)]);
      } finally {
        manifest.close();
      }
    };
    const historyBefore = await history();
    const target = path.join(raw, 'moved-here', path.basename(moved.relPath));
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(raw, moved.relPath), target);
    const deleted = corpus.files[1]!;
    rmSync(path.join(raw, deleted.relPath));
    const second = await stageInto(raw, lakeRoot);
    assert.deepEqual(second.summary.moved, [{ from: moved.relPath, to: `moved-here/${path.basename(moved.relPath)}` }]);
    assert.equal(second.summary.gone, 1);
    const after = await withConn((conn) => readManifest(conn, first.config.manifestPath));
    assert.equal(after.length, before.length, 'one run for the moved file, not two; the deleted one kept');
    assert.ok(!after.some((r) => r.source_file === moved.relPath));
    assert.ok(after.some((r) => r.source_file === `moved-here/${path.basename(moved.relPath)}`));
    assert.deepEqual(await history(), historyBefore);
    const validation = await withConn((conn) =>
      validateManifest(conn, { manifestPath: first.config.manifestPath, stageRoot: first.config.stageRoot, rawRoot: raw }),
    );
    assert.deepEqual(validation.findings.map((f) => f.kind), ['source_gone']);
    assert.match(JSON.stringify(validation.findings[0]), new RegExp(deleted.relPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});

describe('the demo lake', () => {
  it('validates clean: a reject leaves no run folder behind', async () => {
    const dir = tempDir();
    const demo = await runCli(['demo', dir, '--files', '30', '--quiet']);
    assert.equal(demo.code, 0, demo.stderr);
    const manifest = path.join(dir, 'data', '02_stage', '_manifest', 'manifest.parquet');
    const check = await runCli(['validate-manifest', '--manifest', manifest]);
    assert.equal(check.code, 0, check.stderr);
    const stageRoot = path.join(dir, 'data', '02_stage', 'raw_measurements');
    for (const entry of readdirSync(stageRoot, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory() && entry.name.startsWith('run_id=')) assert.ok(readdirSync(path.join(entry.parentPath, entry.name)).length > 0, entry.name);
    }
  });
});

describe('a rejected file, fixed', () => {
  it('is staged on the next run and its reject record goes', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 2, seed: 41, procedures: ['IVg'] });
    const abs = path.join(raw, corpus.files[0]!.relPath);
    const good = readFileSync(abs);
    writeFileSync(abs, good.subarray(0, good.length - 7)); // the last row cut short
    const lakeRoot = path.join(root, 'lake');
    const first = await stageInto(raw, lakeRoot);
    assert.equal(first.summary.rejected, 1);
    assert.equal(readdirSync(first.config.rejectsDir).filter((n) => n.endsWith('.json')).length, 1);
    writeFileSync(abs, good);
    const later = new Date(Date.now() - 60_000);
    utimesSync(abs, later, later);
    const second = await stageInto(raw, lakeRoot);
    assert.equal(second.summary.ok, 1);
    assert.deepEqual(readdirSync(second.config.rejectsDir).filter((n) => n.endsWith('.json')), []);
  });
});

describe('a raw file restaged with a new start time', () => {
  it('moves its run to the new run id and leaves no folder of the old one behind', async () => {
    const root = tempDir();
    const { files } = await generateLabCorpus({ root: path.join(root, 'raw'), files: 1, seed: 43, procedures: ['It'] });
    const abs = path.join(root, 'raw', files[0]!.relPath);
    const first = await stageInto(path.join(root, 'raw'), path.join(root, 'lake'));
    const [before] = await withConn((conn) => readManifest(conn, first.config.manifestPath));
    writeFileSync(abs, readFileSync(abs, 'utf8').replace(/^#\tStart time: (\d+)/m, (_, s: string) => `#\tStart time: ${Number(s) + 3600}`));
    utimesSync(abs, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const second = await stageInto(path.join(root, 'raw'), path.join(root, 'lake'));
    assert.equal(second.summary.ok, 1);
    const rows = await withConn((conn) => readManifest(conn, second.config.manifestPath));
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.run_id, before!.run_id, 'a new start time is a new run id');
    const runFolders = readdirSync(second.config.stageRoot, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('run_id='));
    assert.deepEqual(runFolders.map((e) => e.name), [`run_id=${rows[0]!.run_id}`], 'the old run folder is gone');
    const check = await withConn((conn) => validateManifest(conn, { manifestPath: second.config.manifestPath, stageRoot: second.config.stageRoot }));
    assert.deepEqual(check.findings, []);
  });
});
