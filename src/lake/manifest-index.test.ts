import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { openIndexCopy, readIndexCopy, schemaKey, writeIndexCopy, type StagedSource } from './manifest-index.js';

/** `count` staged sources as a lake of that many runs holds them, with a few odd names among them. */
function stagedSources(count: number): Map<string, StagedSource> {
  const staged = new Map<string, StagedSource>();
  for (let i = 0; i < count; i++) {
    const source = i % 1000 === 7 ? `2025-09-04/Ïd "quoted" \\ ${i}.csv` : `2025-09-04/It2025-09-04_${i}.csv`;
    const runId = i.toString(16).padStart(16, '0');
    staged.set(source, {
      runId,
      path: `proc=It/date=2025-09-04/run_id=${runId}/part-000.parquet`,
      size: 10_000 + i,
      mtimeMs: 1_757_000_000_000 + i * 1000.5,
      sha1: runId.repeat(2).padEnd(40, 'a'),
      dataSchema: i % 3 === 0 ? null : `schema${i % 2}`,
    });
  }
  return staged;
}

describe("the index copy's reading", () => {
  it('reads back a copy of many pieces (a lake of 20,000 runs, several MB) exactly as it was kept', () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    writeFileSync(manifest, 'a manifest');
    const staged = stagedSources(20_000);
    writeIndexCopy(path.join(dir, 'index.json'), manifest, staged);
    assert.ok(readFileSync(path.join(dir, 'index.json')).length > 2 << 20, 'longer than one piece read');
    assert.deepEqual(readIndexCopy(path.join(dir, 'index.json'), manifest)?.staged, staged);
  });

  it('reads a line longer than one piece, and refuses a copy cut short', () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    writeFileSync(manifest, 'a manifest');
    const staged = stagedSources(3);
    const [first] = staged;
    staged.set(`${'deep/'.repeat(300_000)}It.csv`, first![1]);
    const copy = path.join(dir, 'index.json');
    writeIndexCopy(copy, manifest, staged);
    assert.deepEqual(readIndexCopy(copy, manifest)?.staged, staged);
    truncateSync(copy, readFileSync(copy).length - 1);
    assert.equal(readIndexCopy(copy, manifest), undefined);
  });
});

describe('the index copy in source order', () => {
  it('is written sorted by source whatever the order it was given in, and read back a piece at a time with its schemas', () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    writeFileSync(manifest, 'a manifest');
    const staged = stagedSources(5000);
    const reversed = new Map([...staged].reverse());
    const copyPath = path.join(dir, 'index.json');
    writeIndexCopy(copyPath, manifest, reversed);
    const copy = openIndexCopy(copyPath, manifest);
    assert.ok(copy, 'a copy in source order, stamped with the manifest');
    try {
      const entries = [...copy.entries()].map(([source, s]) => [source, s] as const);
      assert.deepEqual(entries.map(([source]) => source), [...staged.keys()].sort());
      assert.deepEqual(new Map(entries), staged);
      assert.deepEqual([...copy.entries()].map(([source, s]) => [source, s] as const), entries, 'read again from the start each time');
      assert.deepEqual(
        new Map(copy.schemas),
        new Map([
          [schemaKey('It', null), 1667],
          [schemaKey('It', 'schema0'), 1666],
          [schemaKey('It', 'schema1'), 1667],
        ]),
      );
    } finally {
      copy.close();
    }
  });

  it("reads an older strata's copy (in insertion order, no schemas line) only whole, and refuses a copy cut short", () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    writeFileSync(manifest, 'a manifest');
    const staged = stagedSources(30);
    const copyPath = path.join(dir, 'index.json');
    writeIndexCopy(copyPath, manifest, staged);
    const lines = readFileSync(copyPath, 'utf8').trimEnd().split('\n');
    const { stamp } = JSON.parse(lines[0]!) as { stamp: unknown };
    const older = [JSON.stringify({ stamp }), ...lines.slice(1, -1).reverse()].join('\n') + '\n';
    writeFileSync(copyPath, older);
    assert.equal(openIndexCopy(copyPath, manifest), undefined);
    assert.deepEqual(readIndexCopy(copyPath, manifest)?.staged, staged);
    writeIndexCopy(copyPath, manifest, staged);
    truncateSync(copyPath, readFileSync(copyPath).length - 3);
    assert.equal(openIndexCopy(copyPath, manifest), undefined);
  });
});
