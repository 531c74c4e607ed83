// Where DuckDB reads a landed file's cells as text (c0, c1..., one record per row, the header first), whatever its
// format: a CSV through DuckDB's own reader, after a scan that lets through only files it reads as csv-parse did;
// an .xlsx sheet through its rows, appended.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { EngineConnection } from '../engine/duckdb.js';
import { sqlIdentifier, sqlLiteral } from '../sql/quote.js';
import type { LandedTable } from './read-landed-file.js';
import { scanCsv, type CsvScan, type NewLine } from './scan-csv.js';

/**
 * The landed file's records in file order, the header being record 0. `relation` is SQL to read them from (its
 * columns c0, c1... as text, NULL where a record is short); the records are numbered by the order they are read in.
 */
export interface LandedRecords {
  readonly relation: string;
  /** Records below the header. */
  readonly rows: number;
  /** Records (by index) with more cells than the header, and how many: the relation has their first cells only. */
  readonly longRecords: ReadonlyMap<number, number>;
  /** The row a person sees for a record: the header is row 1, as a spreadsheet numbers rows. */
  rowOf(record: number): number;
}

export type LandedLoad = ({ readonly ok: true } & LandedRecords) | { readonly ok: false; readonly reason: string };

/**
 * A landed file on its way in: DuckDB may start reading `guess` at once, while the scan of a CSV (which says whether
 * the file may be read at all, and how) runs beside it; `records` tells, once the scan is done, which relation is
 * right. Reading the two at once saves the scan's time, and a wrong guess only costs a second read.
 */
export interface LandedSource {
  readonly guess: string;
  readonly records: Promise<LandedLoad>;
}

/** What of the scan's findings changes how DuckDB must read the file. */
type ReadLayout = Pick<Extract<CsvScan, { ok: true }>, 'quotedNewLines' | 'longestRecordBytes'>;

/** `c<i>`: the column of the header's i-th cell, whatever the header says (the header is checked elsewhere). */
export const cellColumn = (index: number) => sqlIdentifier(`c${index}`);

/** The longest line DuckDB's CSV reader holds (its default is 2,000,000 bytes); a longer one refuses the file. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * A file whose records are all this short (half DuckDB's default limit) is read with that limit, in buffers of
 * BUFFER_BYTES: DuckDB's threads take a buffer at a time, and its buffers grow with the limit (16 lines of the
 * longest by default), so that a file of a few hundred MB is shared unevenly between them.
 */
const DEFAULT_LIMIT_BYTES = 1_000_000;
const BUFFER_BYTES = 8 * 1024 * 1024;
const SHEET_TABLE = 'landed_sheet';

export async function landedSource(conn: EngineConnection, file: string, table: LandedTable): Promise<LandedSource> {
  if (table.format === 'xlsx') {
    const records = await appendSheet(conn, table);
    return { guess: SHEET_TABLE, records: Promise.resolve(records) };
  }
  table.close();
  const width = table.headers.length;
  // Most files hold no quoted line break and no long line: DuckDB reads them on every thread, in small buffers.
  const guess = readCsvSql(file, width, await firstLineEnding(file), { quotedNewLines: false, longestRecordBytes: 0 });
  const records = scanCsv(file, width).then((scan): LandedLoad => {
    if (!scan.ok) return { ok: false, reason: `${path.basename(file)}: ${scan.reason}` };
    return {
      ok: true,
      relation: readCsvSql(file, width, scan.newLine, scan),
      rows: scan.records - 1,
      longRecords: new Map(scan.longRows.map((r) => [r.row - 1, r.cells])),
      rowOf: (record) => record + 1,
    };
  });
  return { guess, records };
}

/** The first line ending in the file's first 64 KB (LF when there is none): the scan confirms it, or corrects it. */
async function firstLineEnding(file: string): Promise<NewLine> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const at = head.subarray(0, bytesRead).findIndex((b) => b === 0x0a || b === 0x0d);
    if (at < 0 || head[at] === 0x0a) return '\n';
    return head[at + 1] === 0x0a ? '\r\n' : '\r';
  } finally {
    await handle.close();
  }
}

/**
 * DuckDB's CSV reader, told everything so that it guesses nothing: every cell as text, missing cells as NULL, the
 * cells past the header's dropped (the scan counted them). It reads on one thread when a quoted cell holds a line
 * break: a split between threads could fall inside the quotes.
 */
function readCsvSql(file: string, width: number, newLine: NewLine, { quotedNewLines, longestRecordBytes }: ReadLayout): string {
  const columns = Array.from({ length: width }, (_, i) => `${sqlLiteral(`c${i}`)}: 'VARCHAR'`).join(', ');
  const options = [
    'header = false',
    'auto_detect = false',
    "delim = ','",
    `quote = '"'`,
    `escape = '"'`,
    `new_line = ${sqlLiteral(newLine.replaceAll('\r', '\\r').replaceAll('\n', '\\n'))}`,
    'null_padding = true',
    'strict_mode = false',
    `parallel = ${quotedNewLines ? 'false' : 'true'}`,
    longestRecordBytes > DEFAULT_LIMIT_BYTES ? `max_line_size = ${MAX_LINE_BYTES}` : `buffer_size = ${BUFFER_BYTES}`,
    `columns = {${columns}}`,
  ];
  return `read_csv(${sqlLiteral(file)}, ${options.join(', ')})`;
}

/** An .xlsx sheet's rows (in memory already), the header first, appended in order. */
async function appendSheet(conn: EngineConnection, table: LandedTable): Promise<LandedLoad> {
  const width = table.headers.length;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${SHEET_TABLE} (${Array.from({ length: width }, (_, i) => `${cellColumn(i)} VARCHAR`).join(', ')})`);
  const sheetRows = [1];
  const longRecords = new Map<number, number>();
  const records: (string | null)[][] = [[...table.headers]];
  for await (const { row, cells } of table.rows) {
    if (cells.length > width) longRecords.set(records.length, cells.length);
    sheetRows.push(row);
    records.push(Array.from({ length: width }, (_, i) => cells[i] ?? null));
  }
  await conn.appendJsRows(SHEET_TABLE, records);
  return { ok: true, relation: SHEET_TABLE, rows: records.length - 1, longRecords, rowOf: (record) => sheetRows[record] ?? record + 1 };
}
