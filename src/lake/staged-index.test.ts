import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { openIndexCopy, writeIndexCopy, type StagedSource } from './manifest-index.js';
import { StagedIndex } from './staged-index.js';

const staged = (runId: string, proc = 'It', dataSchema: string | null = 's1'): StagedSource => ({
  runId,
  path: `proc=${proc}/date=2025-09-04/run_id=${runId}/part-000.parquet`,
  size: 100,
  mtimeMs: 1.7e12,
  sha1: runId.padEnd(40, '0'),
  dataSchema,
});

const base = new Map([
  ['b/x.csv', staged('0000000000000001')],
  ['B/x.csv', staged('0000000000000002', 'IVg', null)],
  ['d.csv', staged('0000000000000003')],
  ['é.csv', staged('0000000000000004')],
]);

/** The index over a copy written from `base`, and over `base` in memory: both must behave alike. */
function indexes(): StagedIndex[] {
  const dir = tempDir();
  const manifest = path.join(dir, 'manifest.parquet');
  writeFileSync(manifest, 'a manifest');
  writeIndexCopy(path.join(dir, 'index.json'), manifest, base);
  return [StagedIndex.ofCopy(openIndexCopy(path.join(dir, 'index.json'), manifest)!), StagedIndex.ofMap(base)];
}

describe("a stage session's index", () => {
  it("walks the staged sources in path order with the session's changes in, and keeps what it wrote in order", () => {
    for (const index of indexes()) {
      assert.deepEqual([...index].map(([s]) => s), ['B/x.csv', 'b/x.csv', 'd.csv', 'é.csv']);
      index.set('a.csv', staged('0000000000000005'));
      index.set('d.csv', staged('0000000000000006'));
      index.delete('b/x.csv');
      index.set('z.csv', staged('0000000000000007'));
      index.setDataSchema('é.csv', 's2');
      assert.deepEqual(
        [...index].map(([s, e]) => [s, e.runId, e.dataSchema]),
        [
          ['B/x.csv', '0000000000000002', null],
          ['a.csv', '0000000000000005', 's1'],
          ['d.csv', '0000000000000006', 's1'],
          ['z.csv', '0000000000000007', 's1'],
          ['é.csv', '0000000000000004', 's2'],
        ],
      );
      assert.equal(index.get('é.csv')?.dataSchema, 's2', 'found by reading the base when not looked at');
      assert.equal(index.get('b/x.csv'), undefined);
      index.close();
    }
  });

  it('answers for the sources a pass looked at without reading the base, and counts its runs by procedure and data schema', () => {
    for (const index of indexes()) {
      index.look(new Map([['new.csv', undefined], ['d.csv', staged('0000000000000003')]]));
      assert.equal(index.get('new.csv'), undefined);
      assert.equal(index.get('d.csv')?.runId, '0000000000000003');
      const pairs = () => new Set([...index.schemaPairs()].map((p) => `${p.procedure} ${p.dataSchema}`));
      assert.deepEqual(pairs(), new Set(['It s1', 'IVg null']));
      // The one run with no data schema is staged again with one: no run has none now.
      index.look(new Map([['B/x.csv', base.get('B/x.csv')]]));
      index.set('B/x.csv', staged('0000000000000002', 'IVg', 's9'));
      assert.deepEqual(pairs(), new Set(['It s1', 'IVg s9']));
      index.close();
    }
  });
});
