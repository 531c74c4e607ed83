// A query's rows as text: CSV and JSON streamed a chunk at a time (constant memory), a table of the first rows.
import type { RowChunk } from '../engine/duckdb.js';
import { csvCell, csvLine } from '../history/safe-csv.js';
import type { LakeQuery } from './query-lake.js';

/** Where text goes: a file or a stream. A write may return a promise, which is awaited (backpressure). */
export type TextSink = (text: string) => void | Promise<void>;

/** The rows a table shows at most: a table is for reading, so a bigger result goes to CSV or JSON. */
export const TABLE_ROW_LIMIT = 1000;

/** CSV (spreadsheet-safe, header first) of every row; returns the row count. */
export async function writeCsv(query: LakeQuery, write: TextSink): Promise<number> {
  await write(csvLine(query.columns));
  let rows = 0;
  for await (const chunk of query.chunks()) {
    await write(csvText(chunk));
    rows += chunk.rows;
  }
  return rows;
}

function csvText(chunk: RowChunk): string {
  const { columns } = chunk;
  let text = '';
  for (let r = 0; r < chunk.rows; r++) {
    let line = csvCell(columns[0]?.[r]);
    for (let c = 1; c < columns.length; c++) line += `,${csvCell(columns[c]![r])}`;
    text += `${line}\n`;
  }
  return text;
}

/** A JSON array of row objects, written as it streams (`[`, rows, `]` with no newline); returns the row count. */
export async function writeJsonRows(query: LakeQuery, write: TextSink): Promise<number> {
  await write('[');
  let rows = 0;
  for await (const chunk of query.chunks()) {
    let text = '';
    for (let r = 0; r < chunk.rows; r++) {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < query.columns.length; c++) row[query.columns[c]!] = chunk.columns[c]![r];
      text += `${rows + r === 0 ? '' : ','}${JSON.stringify(row, jsonValue)}`;
    }
    rows += chunk.rows;
    await write(text);
  }
  await write(']');
  return rows;
}

/** A whole number past 2^53 (kept a bigint) as the nearest number, as every `--json` summary writes it. */
const jsonValue = (_key: string, value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

export interface TableText {
  readonly text: string;
  readonly shown: number;
  /** The query has rows past the ones shown; they were not read. */
  readonly more: boolean;
}

/** Aligned columns of the first `limit` rows, numbers to the right, a cell over 40 characters cut with an ellipsis. */
export async function renderTable(query: LakeQuery, limit = TABLE_ROW_LIMIT): Promise<TableText> {
  const rows: unknown[][] = [];
  let more = false;
  for await (const chunk of query.chunks()) {
    for (let r = 0; r < chunk.rows; r++) {
      if (rows.length === limit) {
        more = true;
        break;
      }
      rows.push(chunk.columns.map((column) => column[r]));
    }
    if (more) break;
  }
  const { columns } = query;
  const cells = rows.map((row) => row.map((value) => {
    const text = cellText(value);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }));
  const numeric = columns.map((_c, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(
    more
      ? `(the first ${limit.toLocaleString('en-US')} rows; the query has more, not read: use --format csv or json with --out FILE for all of them, or LIMIT)`
      : `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  );
  return { text: `${out.join('\n')}\n`, shown: rows.length, more };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, jsonValue);
  return String(value);
}
