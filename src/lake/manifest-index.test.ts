import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { readIndexCopy, writeIndexCopy, type StagedSource } from './manifest-index.js';

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
