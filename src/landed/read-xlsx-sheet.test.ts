import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { tempDir } from '../../test/support/temp-dir.js';
import { readXlsxSheet } from './read-xlsx-sheet.js';

/** A workbook written by another library (exceljs), so the reader is tested against files it did not make. */
async function workbook(fill: (book: ExcelJS.Workbook) => void): Promise<string> {
  const file = path.join(tempDir(), 'book.xlsx');
  const book = new ExcelJS.Workbook();
  fill(book);
  await book.xlsx.writeFile(file);
  return file;
}

describe('reading one sheet of an .xlsx workbook', () => {
  it('gives every cell as the text a CSV would hold: numbers, booleans, rich text, dates and instants', async () => {
    const file = await workbook((book) => {
      const sheet = book.addWorksheet('data');
      sheet.addRow(['n', 'flag', 'name', 'day', 'at', 'custom']);
      sheet.addRow([0.1, true, { richText: [{ text: 'Fé' }, { text: 'lix & co' }] }, new Date(Date.UTC(1900, 2, 1)), new Date(Date.UTC(2024, 0, 2, 13, 30)), new Date(Date.UTC(2024, 1, 29))]);
      sheet.getCell('F2').numFmt = 'dd"/"mm"/"yyyy';
      sheet.addRow([-3, false, '  spaced  ', null, null, 7]);
    });
    const read = await readXlsxSheet(file, undefined);
    assert.deepEqual(read, {
      ok: true,
      name: 'data',
      rows: [
        { row: 1, cells: ['n', 'flag', 'name', 'day', 'at', 'custom'] },
        { row: 2, cells: ['0.1', 'true', 'Félix & co', '1900-03-01', '2024-01-02T13:30:00.000Z', '2024-02-29'] },
        { row: 3, cells: ['-3', 'false', '  spaced  ', '', '', '7'] },
      ],
    });
  });

  it('reads a named sheet, and names the sheets there are when it is missing', async () => {
    const file = await workbook((book) => {
      book.addWorksheet('first').addRow(['a']);
      book.addWorksheet('second').addRow(['b']);
    });
    const second = await readXlsxSheet(file, 'second');
    assert.deepEqual(second.ok && second.rows, [{ row: 1, cells: ['b'] }]);
    assert.deepEqual(await readXlsxSheet(file, 'third'), { ok: false, reason: "the workbook has no sheet 'third' (it has 'first', 'second')" });
  });
});
