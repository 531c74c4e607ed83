import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openParquetFileWriter } from '../parquet/parquet-file-writer.js';
import { parseDataTable, type DataTable, type TableColumn } from '../parse/data-table.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { startRowGroupWriter, type WriterSetup } from './row-group-writer.js';
import { layOutColumns, type DataColumnLayout } from './staged-run.js';

const COLUMNS: TableColumn[] = [
  { sourceIndex: 0, type: 'float' },
  { sourceIndex: 1, type: 'float' },
  { sourceIndex: 2, type: 'str' },
  { sourceIndex: 5, type: 'float' }, // not in the file: all null
];
/** A run's constant between the table's columns, as a data file has them. */
const LAYOUT: DataColumnLayout = [
  { name: 't_s', tableColumn: 0, fieldId: 1 },
  { name: 'chip', values: { kind: 'constant', type: 'utf8', value: 'Alisson67' }, fieldId: 2 },
  { name: 'i_a', tableColumn: 1, fieldId: 3 },
  { name: 'note', tableColumn: 2, fieldId: 4 },
  { name: 'plate_t_degc', tableColumn: 3, fieldId: 5 },
];

/** Rows [from, to): a time, a current (nan every 5th row, 'x' at row 7), a short note. */
function text(from: number, to: number): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`${i * 0.125},${i === 7 ? 'x' : i % 5 === 0 ? 'nan' : (i % 97) * 1e-6},r${i % 7}`);
  return `${lines.join('\n')}\n`;
}

function parsed(from: number, to: number): DataTable {
  const result = parseDataTable(Buffer.from(text(from, to)), { start: 0, firstLine: 10 + from, fieldCount: 3, columns: COLUMNS, zone: 'UTC' });
  assert.ok(result.ok);
  return result.table;
}

function setup(fd: number, rowGroupRows: number): WriterSetup {
  return { fd, tableColumns: COLUMNS, layout: LAYOUT, rowGroupRows, timeIndex: 0, resident: false };
}

describe('a row group writer thread', () => {
  it('writes the file the whole table makes, cut in row groups, and hands each piece\'s arrays back', async () => {
    const dir = tempDir();
    const rows = 100_000;
    const whole = parsed(0, rows);
    const file = path.join(dir, 'out.parquet');
    const fd = openSync(file, 'w');
    const returned: ArrayBuffer[] = [];
    const writer = startRowGroupWriter(setup(fd, 30_000), (buffer) => returned.push(buffer));
    try {
      for (let from = 0; from < rows; from += 7_000) {
        const piece = parsed(from, Math.min(rows, from + 7_000));
        const t = piece.columns[0]!;
        writer.addPiece(piece);
        assert.equal(t.kind === 'double' && t.values.length, 0, 'the time column\'s array moved to the thread');
        await writer.drained();
      }
      const written = await writer.finish();
      assert.equal(written.gathered.rows, rows);
      assert.equal(written.gathered.rowGroups, 4);
      assert.deepEqual(written.gathered.misfits, whole.misfits);
      assert.equal(written.durationS, (rows - 1) * 0.125);
    } finally {
      await writer.close();
      closeSync(fd);
    }
    // The same bytes as the whole table encoded at once in row groups of 30,000 rows.
    const parts: Uint8Array[] = [];
    const local = openParquetFileWriter((bytes) => parts.push(Uint8Array.from(bytes)));
    for (let start = 0; start < rows; start += 30_000) {
      const end = Math.min(rows, start + 30_000);
      local.addRowGroup(layOutColumns(LAYOUT, parsed(start, end).columns), end - start);
    }
    local.finish();
    assert.ok(readFileSync(file).equals(Buffer.concat(parts)));
    assert.ok(returned.length >= 15, `${returned.length} buffers came back for 15 pieces`);
  });

  it('that cannot write says why, with the system\'s code, to whoever waits on it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'read-only.parquet');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    const writer = startRowGroupWriter(setup(fd, 1_000));
    try {
      writer.addPiece(parsed(0, 5_000));
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
    const writer = startRowGroupWriter(setup(fd, 50_000));
    for (let from = 0; from < 1_000_000; from += 100_000) writer.addPiece(parsed(from, from + 100_000));
    await writer.close();
    const size = statSync(file).size;
    await sleep(300);
    assert.equal(statSync(file).size, size);
    closeSync(fd);
  });
});
