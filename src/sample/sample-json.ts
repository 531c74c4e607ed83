// JSON samples: the first N records of a top-level array, streamed (the file is never parsed whole).
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';
import { messageOf } from '../errors.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { SampleProblem, isSystemError, type SampleWritten, type Sampler } from './sample-types.js';

export const sampleJson: Sampler = async (input, output, context): Promise<SampleWritten> => {
  const file = createReadStream(input);
  const items = pipeline(file, streamArray.withParserAsStream(), () => {});
  const records: string[] = [];
  let bytes = 0;
  try {
    for await (const item of items as AsyncIterable<{ value: unknown }>) {
      if (records.length >= context.rows) break;
      const text = JSON.stringify(item.value);
      bytes += text.length;
      if (bytes > context.maxHeadBytes) throw new SampleProblem(`has records longer than ${context.maxHeadBytes} bytes in its first ${context.rows}`);
      records.push(text);
    }
  } catch (error) {
    if (error instanceof SampleProblem || isSystemError(error)) throw error;
    if (file.bytesRead === 0) throw new SampleProblem('is empty, not a JSON array');
    throw new SampleProblem(`is not a JSON array of records (${messageOf(error)})`);
  } finally {
    items.destroy();
    file.destroy();
  }
  const text = records.length === 0 ? '[]\n' : `[\n${records.join(',\n')}\n]\n`;
  await writeFileAtomically(output, text);
  return { rows: records.length, bytes: Buffer.byteLength(text) };
};
