// Line samples (JSON Lines, and any text inside a gzip): the first N lines, byte for byte.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { SampleProblem, type Head, type SampleWritten, type Sampler } from './sample-types.js';

/** The leading bytes of a stream up to and including its `lines`-th newline (or all of it when shorter). */
export async function linesHead(source: Readable, lines: number, maxBytes: number): Promise<Head> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let count = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let from = 0;
      while (count < lines) {
        const newline = chunk.indexOf(0x0a, from);
        if (newline < 0) break;
        count += 1;
        from = newline + 1;
      }
      if (count >= lines) {
        kept.push(chunk.subarray(0, from));
        return { bytes: Buffer.concat(kept), count };
      }
      kept.push(chunk);
      keptBytes += chunk.length;
      if (keptBytes > maxBytes) throw new SampleProblem(`has no line end in its first ${maxBytes} bytes`);
    }
  } finally {
    source.destroy();
  }
  const bytes = Buffer.concat(kept);
  // A last line without its newline still counts as a line.
  return { bytes, count: count + (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? 1 : 0) };
}

export const sampleJsonl: Sampler = async (input, output, context): Promise<SampleWritten> => {
  const head = await linesHead(createReadStream(input), context.rows, context.maxHeadBytes);
  await writeFileAtomically(output, head.bytes);
  return { rows: head.count, bytes: head.bytes.length };
};
