// PyMeasure's header over a tab-separated table, as a spreadsheet or another lab script saves it.
import { columnLineBytes, parseInstrumentHeader } from '../instrument-header.js';
import type { RawFormat } from '../raw-format.js';
import { COMMA, TAB } from '../table-delimiter.js';

export const pymeasureTsv: RawFormat = {
  name: 'PyMeasure TSV',
  extensions: ['.tsv'],
  recognises: (bytes) => isTabSeparated(columnLineBytes(bytes)),
  readHeader: (bytes) => parseInstrumentHeader(bytes, TAB),
  delimiter: TAB,
};

/**
 * A column line with a tab between its names and no comma at all: `t (s)<TAB>I (A)`. One with both stays
 * comma-separated. Checked on the bytes: every file is asked, before its header is decoded.
 */
function isTabSeparated(line: Buffer): boolean {
  let from = 0;
  let to = line.length;
  while (from < to && isSpace(line[from]!)) from++;
  while (to > from && isSpace(line[to - 1]!)) to--;
  const names = line.subarray(from, to);
  return names.includes(TAB) && !names.includes(COMMA);
}

const isSpace = (byte: number) => byte === 0x20 || byte === TAB || byte === 0x0d;
