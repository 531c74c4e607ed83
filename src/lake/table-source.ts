// The raw file as DuckDB's CSV reader is to see it. Header lines are text, not CSV: DuckDB's `skip` still parses
// them, and under strict_mode a quoted piece followed by more text (`#	Information: x("a","b")`) makes it return
// no rows at all. For such a file the reader gets a copy whose header quotes are apostrophes (one byte each,
// so every line and offset stays where it was); the header itself is read from the original by the parser.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempPathFor } from './atomic-file.js';

const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const NEWLINE = 0x0a;

/** The byte offset just past line `lastLine` (1-based), or the length when the file ends first. */
function endOfLine(bytes: Buffer, lastLine: number): number {
  let offset = 0;
  for (let line = 0; line < lastLine; line++) {
    const next = bytes.indexOf(NEWLINE, offset);
    if (next === -1) return bytes.length;
    offset = next + 1;
  }
  return offset;
}

/** The bytes with no double quote in lines 1..`columnLine` (header and column line); null when there is none. */
export function withQuietHeader(bytes: Buffer, columnLine: number): Buffer | null {
  const end = endOfLine(bytes, columnLine);
  const first = bytes.subarray(0, end).indexOf(QUOTE);
  if (first === -1) return null;
  const copy = Buffer.from(bytes);
  for (let i = first; i < end; i++) if (copy[i] === QUOTE) copy[i] = APOSTROPHE;
  return copy;
}

/**
 * Writes the reader's copy as a temp file in `folder` (swept like any temp file if the run dies) and returns its
 * path; null when the original reads as it is.
 */
export async function writeReadableCopy(bytes: Buffer, columnLine: number, folder: string, name: string): Promise<string | null> {
  const copy = withQuietHeader(bytes, columnLine);
  if (copy === null) return null;
  const temp = tempPathFor(path.join(folder, `${name}.csv`));
  await writeFile(temp, copy);
  return temp;
}
