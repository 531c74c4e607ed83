// The writer thread of a streamed run (parquet-writer-thread.ts): encodes each row group it is sent and writes it to
// the file, then the footer. An error (a full disk) is sent back, and nothing more is written.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openParquetFileWriter, type ParquetFileWriter } from '../parquet/parquet-file-writer.js';
import { messageOf } from '../errors.js';
import { holdMainHeap } from './resident-memory.js';
import type { FromWriter, ToWriter, WriterData } from './parquet-writer-thread.js';

const port = parentPort!;
const { fd, resident } = workerData as WriterData;
// This thread's heap was just made, which put V8's growth of the main thread's young generation back to its default.
if (resident) holdMainHeap();
const send = (message: FromWriter) => port.postMessage(message);
const write = (bytes: Uint8Array) => {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
};
// Opened at the first message, so that a failure of its first write is sent back as any other.
let writer: ParquetFileWriter | undefined;
let failed = false;

port.on('message', (message: ToWriter) => {
  if (failed) return;
  try {
    writer ??= openParquetFileWriter(write);
    if (message.type === 'group') {
      writer.addRowGroup(message.columns, message.rows);
      send({ type: 'written' });
    } else {
      send({ type: 'finished', ...writer.finish() });
    }
  } catch (error) {
    failed = true;
    send({ type: 'failed', message: messageOf(error), code: (error as NodeJS.ErrnoException).code });
  }
});
