// The manifest index's JSON copy (`_manifest/index.json`): a re-run with nothing to do reads it instead of the
// manifest (no database opened), and trusts it only while the manifest file is the one it was read from.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { writeViaTemp } from '../../src/fs/atomic-file.js';
import { openIndexCopy, readIndexCopy, readManifestIndex, schemaKey } from '../../src/lake/manifest-index.js';
import { procedureOfPath } from '../../src/lake/partition-path.js';
import { comparePaths } from '../../src/fs/path-order.js';
import { stageRawFiles } from '../../src/pipeline/stage-raw-files.js';
import { lakeConfig } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

/** The copy lists exactly what the manifest holds (read with DuckDB), field for field. */
async function assertCopyMatches(manifestPath: string): Promise<void> {
  const copy = readIndexCopy(path.join(path.dirname(manifestPath), 'index.json'), manifestPath);
  assert.ok(copy, 'a copy stamped with the current manifest');
  const fromManifest = await readManifestIndex(manifestPath);
  assert.deepEqual(new Map([...copy.staged].sort()), new Map([...fromManifest].sort()));
  const sorted = openIndexCopy(path.join(path.dirname(manifestPath), 'index.json'), manifestPath);
  assert.ok(sorted, 'a copy in source order');
  try {
    assert.deepEqual([...sorted.entries()].map(([source, s]) => [source, s]), [...fromManifest].sort((a, b) => comparePaths(a[0], b[0])));
    const runs = new Map<string, number>();
    for (const s of fromManifest.values()) runs.set(schemaKey(procedureOfPath(s.path), s.dataSchema), (runs.get(schemaKey(procedureOfPath(s.path), s.dataSchema)) ?? 0) + 1);
    assert.deepEqual(new Map(sorted.schemas), runs, 'its runs counted by procedure and data schema');
  } finally {
    sorted.close();
  }
}

async function stagedLake() {
  const root = tempDir();
  await generateLabCorpus({ root: path.join(root, 'raw'), files: 8, seed: 808, badFiles: false });
  const config = lakeConfig(path.join(root, 'raw'), root);
  const first = await stageRawFiles(config);
  assert.equal(first.ok, 8);
  await assertCopyMatches(config.manifestPath);
  return { config, copy: path.join(path.dirname(config.manifestPath), 'index.json') };
}

describe("the manifest index's JSON copy", () => {
  it('is what a re-run reads while the manifest is unchanged', async () => {
    const { config, copy } = await stagedLake();
    assert.equal((await stageRawFiles(config)).skipped, 8);
    // Drop one source from the copy (its stamp still matches): the re-run believes the copy and stages that file again.
    const [stamp, , ...sources] = readFileSync(copy, 'utf8').split('\n');
    writeFileSync(copy, [stamp, ...sources].join('\n'));
    const again = await stageRawFiles(config);
    assert.deepEqual([again.ok, again.skipped], [1, 7]);
  });

  it('is not trusted when it was cut short: the manifest is read instead', async () => {
    const { config, copy } = await stagedLake();
    const text = readFileSync(copy, 'utf8');
    writeFileSync(copy, text.slice(0, text.lastIndexOf('\n', text.length - 2) + 20));
    assert.equal(readIndexCopy(copy, config.manifestPath), undefined);
    assert.equal((await stageRawFiles(config)).skipped, 8);
    await assertCopyMatches(config.manifestPath);
  });

  it('follows moves and touched files, as the manifest does', async () => {
    const { config } = await stagedLake();
    const [first, second] = readdirSync(config.rawRoot, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();
    mkdirSync(path.join(config.rawRoot, 'moved'));
    renameSync(path.join(config.rawRoot, first!), path.join(config.rawRoot, 'moved', path.basename(first!)));
    const later = new Date(Date.now() - 3_600_000);
    utimesSync(path.join(config.rawRoot, second!), later, later);
    const again = await stageRawFiles(config);
    assert.equal(again.moved.length, 1);
    await assertCopyMatches(config.manifestPath);
  });

  it('is not trusted once the manifest file was rewritten by anything else', async () => {
    const { config } = await stagedLake();
    const engine = await Engine.open();
    const conn = await engine.connect();
    const [gone] = await conn.all<{ source_file: string }>(`SELECT source_file FROM read_parquet(${sqlLiteral(config.manifestPath)}) ORDER BY source_file LIMIT 1`);
    // Another writer drops a row; the copy still lists it, but the manifest file is a new one.
    await writeViaTemp(config.manifestPath, (temp) =>
      conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(config.manifestPath)}) WHERE source_file <> ${sqlLiteral(gone!.source_file)}) TO ${sqlLiteral(temp)} (FORMAT parquet)`),
    );
    engine.close();
    const again = await stageRawFiles(config);
    assert.deepEqual([again.ok, again.skipped], [1, 7], 'the dropped run is staged again: the manifest, not the stale copy, decided');
  });

  it("reads a copy an older strata wrote (not in source order, no schemas line) and writes it in source order", async () => {
    const { config, copy } = await stagedLake();
    const lines = readFileSync(copy, 'utf8').trimEnd().split('\n');
    const { stamp } = JSON.parse(lines[0]!) as { stamp: unknown };
    writeFileSync(copy, `${[JSON.stringify({ stamp }), ...lines.slice(1, -1).reverse()].join('\n')}\n`);
    assert.equal((await stageRawFiles(config)).skipped, 8);
    const again = readFileSync(copy, 'utf8').trimEnd().split('\n');
    assert.equal((JSON.parse(again[0]!) as { sorted?: boolean }).sorted, true);
    assert.deepEqual(again.slice(1, -1), lines.slice(1, -1), 'the same lines, in source order again');
    await assertCopyMatches(config.manifestPath);
  });

  it('is read beside the walk through folders whose names sort around "/", finding moved, gone and new files', async () => {
    const { config } = await stagedLake();
    // Every file goes to a folder of its own, named so that the walk's order is not the order of plain names.
    const folders = ['a', 'a b', 'a-b', 'a.b', 'A', 'Ä', 'é', 'a/b'];
    const csvs = readdirSync(config.rawRoot, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();
    csvs.forEach((f, i) => {
      mkdirSync(path.join(config.rawRoot, folders[i]!), { recursive: true });
      renameSync(path.join(config.rawRoot, f), path.join(config.rawRoot, folders[i]!, path.basename(f)));
    });
    const moved = await stageRawFiles(config);
    assert.deepEqual([moved.ok, moved.moved.length, moved.gone], [8, 8, 0]);
    await assertCopyMatches(config.manifestPath);
    // One goes; one moves again, to a folder that sorts before every other.
    const placed = readdirSync(config.rawRoot, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();
    rmSync(path.join(config.rawRoot, placed[0]!));
    mkdirSync(path.join(config.rawRoot, ' first'));
    renameSync(path.join(config.rawRoot, placed[7]!), path.join(config.rawRoot, ' first', path.basename(placed[7]!)));
    const again = await stageRawFiles(config);
    assert.deepEqual(again.moved, [{ from: placed[7], to: ` first/${path.basename(placed[7]!)}` }]);
    assert.deepEqual([again.ok, again.gone, again.skipped], [1, 1, 6]);
    await assertCopyMatches(config.manifestPath);
    assert.equal((await stageRawFiles(config)).gone, 1, 'a gone run is found gone again by the next run');
  });
});
