// Files that look like instrument files but cannot be staged: each one's staging outcome must be a reject.
import { renderLabFile } from './render-lab-file.js';
import { seededRandom } from './seeded-random.js';

export const BAD_FILE_PROBLEMS = [
  'empty-data',
  'header-only',
  'truncated-last-line',
  'binary',
  'non-utf8',
  'no-data-line',
  'zero-bytes',
  'duplicate-columns',
] as const;
export type BadFileProblem = (typeof BAD_FILE_PROBLEMS)[number];

const EOL = '\r\n';

/** The bytes of a bad file: an It run spoiled the way `problem` says (or not an instrument file at all). */
export function renderBadLabFile(problem: BadFileProblem, seed: number, startTimeUnix: number): Uint8Array {
  const good = renderLabFile({ proc: 'It', seed, rows: 40, startTimeUnix });
  const lines = good.text.split(EOL);
  const dataAt = lines.indexOf('#Data:');
  const text = (kept: readonly string[]) => new TextEncoder().encode(kept.join(EOL) + EOL);
  switch (problem) {
    case 'empty-data':
      return text(lines.slice(0, dataAt + 2));
    case 'header-only':
      return text(lines.slice(0, dataAt + 1));
    case 'no-data-line':
      return text([...lines.slice(0, dataAt), ...lines.slice(dataAt + 1, -1)]);
    case 'truncated-last-line':
      return new TextEncoder().encode(truncatedLastLine(good.text));
    case 'duplicate-columns':
      return text(lines.map((line, i) => (i === dataAt + 1 ? line.replace('VL (V)', 'I (A)') : line)).slice(0, -1));
    case 'non-utf8':
      // Spanish text saved as Latin-1 by a Windows editor: `ó` becomes the lone byte 0xF3
      return Buffer.from(good.text.replace(/Information: [^\r]*/, 'Information: medición sin luz, calibración'), 'latin1');
    case 'binary':
      return binaryBytes(seed);
    case 'zero-bytes':
      return new Uint8Array(0);
  }
}

/** The file as an instrument leaves it when the run is killed mid-write: the last row stops inside its second value. */
function truncatedLastLine(text: string): string {
  const body = text.slice(0, -EOL.length);
  const lastStart = body.lastIndexOf(EOL) + EOL.length;
  const last = body.slice(lastStart);
  const secondField = last.indexOf(',') + 1;
  return body.slice(0, lastStart) + last.slice(0, secondField + 4);
}

/** An Excel workbook saved with a .csv name: a zip signature, then noise with NUL bytes. */
function binaryBytes(seed: number): Uint8Array {
  const random = seededRandom(seed, 0xb1);
  const bytes = new Uint8Array(4096);
  bytes.set([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
  for (let i = 8; i < bytes.length; i++) bytes[i] = random.chance(0.1) ? 0 : random.int(0, 255);
  return bytes;
}
