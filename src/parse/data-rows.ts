// The first rows of a file's data table, split into fields by a real CSV parser (quotes and all).
import { parse } from 'csv-parse/sync';
import { COMMA, type Delimiter } from './table-delimiter.js';

/** Up to `count` rows after the column line (1-based `columnLine`), read from the file's first 64 KiB. */
export function firstDataRows(bytes: Buffer, columnLine: number, count: number, delimiter: Delimiter = COMMA): string[][] {
  const head = bytes.subarray(0, 65536).toString('utf8').split(/\r?\n/).slice(columnLine, columnLine + count + 1);
  // The last line of the slice may be cut short by the 64 KiB window: leave it out unless it is all there is.
  const lines = head.length > 1 ? head.slice(0, -1) : head;
  try {
    return parse(lines.join('\n'), { delimiter: String.fromCharCode(delimiter), relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch {
    return [];
  }
}
