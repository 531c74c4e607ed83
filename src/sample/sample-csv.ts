// CSV samples: the original bytes of the `#` header lines, the column header and the first N records, exactly as they were.
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { messageOf } from '../errors.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { SampleProblem, errorCode, type Head, type SampleWritten, type Sampler } from './sample-types.js';

/**
 * The leading bytes of a CSV stream up to the end of its `records`-th record (the column header is a record;
 * `#` lines are comments, kept). csv-parse finds where records end, quoted newlines included; the bytes are
 * copied, not re-written, so the sample keeps the original quoting, line endings and encoding.
 */
export async function csvHead(source: Readable, records: number, maxBytes: number): Promise<Head> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      kept.push(chunk);
      keptBytes += chunk.length;
      if (keptBytes > maxBytes + chunk.length) done(new SampleProblem(`has no end of record in its first ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  // `to` makes csv-parse stop at the last record wanted instead of parsing the rest of the chunk in hand.
  const parser = parse({ info: true, comment: '#', comment_no_infix: true, relax_column_count: true, skip_empty_lines: true, to: records });
  const flowing = pipeline(source, tap, parser).catch(() => {}); // its errors reach the loop below through the parser
  let end = 0;
  let count = 0;
  try {
    for await (const record of parser as AsyncIterable<{ info: { bytes: number } }>) {
      end = record.info.bytes;
      count += 1;
      if (count >= records) break;
    }
  } catch (error) {
    // csv-parse's own errors say what is wrong with the CSV; others (a read or gunzip error) go up as they are.
    throw errorCode(error).startsWith('CSV_') ? new SampleProblem(`is not readable as CSV: ${messageOf(error)}`) : error;
  } finally {
    source.destroy();
    await flowing;
  }
  const all = Buffer.concat(kept);
  return { bytes: count >= records ? all.subarray(0, end) : all, count };
}

export const sampleCsv: Sampler = async (input, output, context): Promise<SampleWritten> => {
  const head = await csvHead(createReadStream(input), context.rows + 1, context.maxHeadBytes);
  await writeFileAtomically(output, head.bytes);
  return { rows: Math.max(0, head.count - 1), bytes: head.bytes.length };
};
