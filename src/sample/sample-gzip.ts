// Gzip samples: decompress only the head, keep the first N lines (a CSV keeps its header), recompress them.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { messageOf } from '../errors.js';
import { csvHead } from './sample-csv.js';
import { linesHead } from './sample-jsonl.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { SampleProblem, errorCode, type Head, type SampleContext, type SampleWritten } from './sample-types.js';

/** Samples a gzip file; `inner` is the format inside (`csv` keeps the header on top of N rows, anything else N lines). */
export async function sampleGzip(input: string, output: string, context: SampleContext, inner: 'csv' | 'lines'): Promise<SampleWritten> {
  // pipeline() forwards a read error to the gunzip stream and destroys the file stream when the head is taken.
  const unzipped = pipeline(createReadStream(input), createGunzip(), () => {});
  let head: Head;
  try {
    head = inner === 'csv' ? await csvHead(unzipped, context.rows + 1, context.maxHeadBytes) : await linesHead(unzipped, context.rows, context.maxHeadBytes);
  } catch (error) {
    if (!errorCode(error).startsWith('Z_')) throw error;
    const reason = messageOf(error) === 'unexpected end of file' ? 'it ends early, the file is truncated' : messageOf(error);
    throw new SampleProblem(`is not a readable gzip file (${reason})`);
  }
  const packed = gzipSync(head.bytes, { level: 6 });
  await writeFileAtomically(output, packed);
  const rows = inner === 'csv' ? Math.max(0, head.count - 1) : head.count;
  return { rows, bytes: packed.length };
}
