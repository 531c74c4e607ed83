// Reads a landed file (CSV, or the first or a named sheet of an .xlsx workbook) as a header and rows of text.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { messageOf } from '../errors.js';
import { strictUtf8 } from './strict-utf8.js';

export interface LandedRow {
  /** 1-based row number in the file, the header being row 1 (as a spreadsheet numbers it). */
  readonly row: number;
  readonly cells: readonly string[];
}

export interface LandedTable {
  readonly headers: readonly string[];
  readonly rows: AsyncIterable<LandedRow>;
  /** Releases the file when the rows are not read to the end. */
  close(): void;
}

export type LandedRead = { readonly ok: true; readonly table: LandedTable } | { readonly ok: false; readonly reason: string };

export interface ReadOptions {
  /** The sheet of an .xlsx workbook; the first one when absent. */
  readonly sheet?: string;
}

export async function readLandedFile(file: string, options: ReadOptions = {}): Promise<LandedRead> {
  const base = path.basename(file);
  const extension = path.extname(file).toLowerCase();
  try {
    if (extension === '.csv') return checkHeaders(base, await readCsv(file));
    if (extension === '.xlsx') return checkHeaders(base, await readXlsx(file, options.sheet));
    return refuse(`${base}: only .csv and .xlsx files can be read, not '${extension || 'no extension'}'`);
  } catch (error) {
    return refuse(`${base} cannot be read: ${messageOf(error)}`);
  }
}

const refuse = (reason: string): LandedRead => ({ ok: false, reason });

function checkHeaders(base: string, read: LandedRead): LandedRead {
  if (!read.ok) return refuse(`${base}: ${read.reason}`);
  const { headers } = read.table;
  const blank = headers.findIndex((h) => h === '');
  const duplicate = headers.find((h, i) => headers.indexOf(h) !== i);
  const problem =
    blank >= 0 ? `the header has an empty name in column ${blank + 1}` : duplicate !== undefined ? `the header names '${duplicate}' twice` : null;
  if (problem === null) return read;
  read.table.close();
  return refuse(`${base}: ${problem}`);
}

async function readCsv(file: string): Promise<LandedRead> {
  const stream = createReadStream(file);
  // Decoded strictly, as `stage` does: a Latin-1 byte is refused by line and offset, never read as U+FFFD.
  const parser = pipeline(stream, strictUtf8(), parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true }), () => {});
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await records.next();
  const close = () => {
    parser.destroy();
    stream.destroy();
  };
  if (first.done) {
    close();
    return refuse('the file is empty: expected a header line');
  }
  async function* rows(): AsyncGenerator<LandedRow> {
    let row = 1;
    for (let next = await records.next(); !next.done; next = await records.next()) yield { row: ++row, cells: next.value };
  }
  return { ok: true, table: { headers: first.value.map((h) => h.trim()), rows: rows(), close } };
}

async function readXlsx(file: string, sheetName: string | undefined): Promise<LandedRead> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = sheetName === undefined ? workbook.worksheets[0] : workbook.getWorksheet(sheetName);
  if (!sheet) {
    const names = workbook.worksheets.map((s) => `'${s.name}'`).join(', ');
    return refuse(sheetName === undefined ? 'the workbook has no sheet' : `the workbook has no sheet '${sheetName}' (it has ${names})`);
  }
  const label = `sheet '${sheet.name}'`;
  if (sheet.actualRowCount === 0) return refuse(`${label} is empty: expected a header row`);
  if (sheet.hasMerges) return refuse(`${label} has merged cells (${sheet.model.merges.join(', ')}); unmerge them so every cell holds its own value`);
  const formula = findFormulaCell(sheet);
  if (formula) return refuse(`${label}, cell ${formula}, holds a formula; save the sheet with values only`);
  const grid: { row: number; cells: string[] }[] = [];
  sheet.eachRow((row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => (cells[column - 1] = cellText(cell.value)));
    grid.push({ row: rowNumber, cells: Array.from(cells, (c) => c ?? '') });
  });
  const [header, ...body] = grid;
  if (!header || header.row !== 1) return refuse(`${label}: expected the header in row 1`);
  async function* rows(): AsyncGenerator<LandedRow> {
    yield* body;
  }
  return { ok: true, table: { headers: header.cells.map((h) => h.trim()), rows: rows(), close() {} } };
}

function findFormulaCell(sheet: ExcelJS.Worksheet): string | null {
  let found: string | null = null;
  sheet.eachRow((row) =>
    row.eachCell((cell) => {
      if (found === null && cell.type === ExcelJS.ValueType.Formula) found = `${cell.address} (=${cell.formula})`;
    }),
  );
  return found;
}

/** A cell as the text a CSV would hold: dates at midnight UTC as YYYY-MM-DD, other instants as ISO-8601. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) return String(value.error);
  return String(value);
}
