// Reads a landed file (CSV, or the first or a named sheet of an .xlsx workbook) as a header and rows of text.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { messageOf } from '../errors.js';
import { readXlsxSheet } from './read-xlsx-sheet.js';
import { strictUtf8 } from './strict-utf8.js';

export interface LandedRow {
  /** 1-based row number in the file, the header being row 1 (as a spreadsheet numbers it). */
  readonly row: number;
  readonly cells: readonly string[];
}

export interface LandedTable {
  readonly format: 'csv' | 'xlsx';
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
  return { ok: true, table: { format: 'csv', headers: first.value.map((h) => h.trim()), rows: rows(), close } };
}

async function readXlsx(file: string, sheetName: string | undefined): Promise<LandedRead> {
  const sheet = await readXlsxSheet(file, sheetName);
  if (!sheet.ok) return refuse(sheet.reason);
  const [header, ...body] = sheet.rows;
  if (!header || header.row !== 1) return refuse(`sheet '${sheet.name}': expected the header in row 1`);
  async function* rows(): AsyncGenerator<LandedRow> {
    yield* body;
  }
  return { ok: true, table: { format: 'xlsx', headers: header.cells.map((h) => h.trim()), rows: rows(), close() {} } };
}
