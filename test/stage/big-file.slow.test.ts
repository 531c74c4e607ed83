// `strata stage` of a raw file over the streaming size (64 MiB), end to end: a stage worker streams it into a temp
// file in the stage root, the main thread renames it into place, and the manifest and the data file say what the
// file holds (issue 25).
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { STREAM_ABOVE } from '../../src/pipeline/stage-streamed-file.js';
import { tempDir } from '../support/temp-dir.js';
import { stageInto } from '../support/stage-lake.js';
import { IT_COLUMNS, IT_HEADER } from '../support/it-file-header.js';


/** Writes rows until the file is past the streaming size: the rows written. */
function writeBigItFile(file: string): number {
  const fd = openSync(file, 'w');
  let size = writeSync(fd, IT_HEADER + IT_COLUMNS);
  let rows = 0;
  while (size <= STREAM_ABOVE + (1 << 20)) {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++, rows++) lines.push(`${rows * 0.125},${(rows % 89) * 1e-7},${rows % 2 === 0 ? 'nan' : '1.25'},nan,22.5,${rows}`);
    size += writeSync(fd, `${lines.join('\n')}\n`);
  }
  closeSync(fd);
  return rows;
}

describe('a raw file over the streaming size', () => {
  it('is staged through the workers into one data file of row groups holding every row, and nothing else is left', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw', '2025-10-13');
    mkdirSync(raw, { recursive: true });
    const rows = writeBigItFile(path.join(raw, 'It2025-10-13_1.csv'));
    const { summary, config } = await stageInto(path.join(root, 'raw'), root);
    assert.equal(summary.ok, 1, JSON.stringify(summary.rejects ?? summary));
    let runPath = '';
    const engine = await Engine.open();
    try {
      const db = await engine.connect();
      const [run] = await readManifest(db, config.manifestPath);
      assert.equal(run?.rows, rows);
      assert.equal(run?.duration_s, (rows - 1) * 0.125);
      runPath = run!.path;
      const data = path.join(config.stageRoot, runPath);
      const [read] = await db.all<{ n: number; clock: number; lit: number; row_groups: number }>(
        `SELECT count(*)::DOUBLE n, sum(clock_ms) clock, count(vl_v)::DOUBLE lit,
                (SELECT count(DISTINCT row_group_id)::DOUBLE FROM parquet_metadata(${sqlLiteral(data)})) row_groups
           FROM read_parquet(${sqlLiteral(data)})`,
      );
      assert.deepEqual(read, { n: rows, clock: (rows * (rows - 1)) / 2, lit: Math.floor(rows / 2), row_groups: Math.ceil(rows / 2 ** 20) });
    } finally {
      engine.close();
    }
    // The temp file it was written to was renamed: the run's data file is the only file in the stage root.
    const files = readdirSync(config.stageRoot, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.deepEqual(files.map((e) => path.relative(config.stageRoot, path.join(e.parentPath, e.name))), [path.normalize(runPath)]);
  });
});
