import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openParquetFileWriter } from '../parquet/parquet-file-writer.js';
import type { ParquetColumn } from '../parquet/parquet-columns.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { startParquetWriterThread } from './parquet-writer-thread.js';

/** Row group `g` of `rows` rows: a time column, a current with every 5th value null, and a text column. */
function group(g: number, rows: number): ParquetColumn[] {
  const t = Float64Array.from({ length: rows }, (_, i) => (g * rows + i) * 0.125);
  const current = Float64Array.from({ length: rows }, (_, i) => Math.sin(g * rows + i) * 1e-6);
  const valid = Uint8Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : 1));
  return [
    { name: 't_s', values: { kind: 'double', values: t, valid: null }, fieldId: 1 },
    { name: 'i_a', values: { kind: 'double', values: current, valid }, fieldId: 2 },
    { name: 'note', values: { kind: 'utf8', values: Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? null : `r${i % 7}`)) }, fieldId: 3 },
  ];
}

describe('a Parquet writer thread', () => {
  it('writes the bytes the writer makes on this thread, and takes each group\'s arrays instead of copying them', async () => {
    const dir = tempDir();
    const here: Uint8Array[] = [];
    const local = openParquetFileWriter((bytes) => here.push(Uint8Array.from(bytes)));
    for (let g = 0; g < 5; g++) local.addRowGroup(group(g, 30_000), 30_000);
    local.finish();
    const file = path.join(dir, 'out.parquet');
    const fd = openSync(file, 'w');
    const writer = startParquetWriterThread(fd);
    try {
      for (let g = 0; g < 5; g++) {
        const columns = group(g, 30_000);
        writer.addRowGroup(columns, 30_000);
        const t = columns[0]!.values;
        assert.equal(t.kind === 'double' && t.values.length, 0, 'the time column\'s array moved to the thread');
        await writer.drained();
      }
      assert.deepEqual(await writer.finish(), { rows: 150_000, rowGroups: 5 });
    } finally {
      await writer.close();
      closeSync(fd);
    }
    assert.ok(readFileSync(file).equals(Buffer.concat(here)));
  });

  it('that cannot write says why, with the system\'s code, to whoever waits on it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'read-only.parquet');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    const writer = startParquetWriterThread(fd);
    try {
      writer.addRowGroup(group(0, 1_000), 1_000);
      await assert.rejects(writer.finish(), (error: NodeJS.ErrnoException) => error.code === 'EBADF');
      await assert.rejects(writer.drained(), (error: NodeJS.ErrnoException) => error.code === 'EBADF');
    } finally {
      await writer.close();
      closeSync(fd);
    }
  });

  it('writes nothing more once closed, whatever it had in hand', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'stopped.parquet');
    const fd = openSync(file, 'w');
    const writer = startParquetWriterThread(fd);
    for (let g = 0; g < 8; g++) writer.addRowGroup(group(g, 200_000), 200_000);
    await writer.close();
    const size = statSync(file).size;
    await sleep(300);
    assert.equal(statSync(file).size, size);
    closeSync(fd);
  });
});
