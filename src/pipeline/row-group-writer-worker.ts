// The writer thread of a streamed run (row-group-writer.ts): gathers the pieces it is sent into row groups, encodes
// and writes each as it fills, then the footer. It sends each piece's arrays back once its rows are copied. An
// error (a full disk) is sent back, and nothing more is written.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openParquetFileWriter, type ParquetFileWriter } from '../parquet/parquet-file-writer.js';
import { TableRowGroups } from '../parse/table-row-groups.js';
import { messageOf } from '../errors.js';
import { holdMainHeap } from './resident-memory.js';
import { arrayBuffersOf, type FromWriter, type ToWriter, type WriterSetup } from './row-group-writer.js';
import { durationOf, layOutColumns } from './staged-run.js';

const port = parentPort!;
const setup = workerData as WriterSetup;
// This thread's heap was just made, which put V8's growth of the main thread's young generation back to its default.
if (setup.resident) holdMainHeap();
const send = (message: FromWriter, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const write = (bytes: Uint8Array) => {
  for (let at = 0; at < bytes.length; ) at += writeSync(setup.fd, bytes, at, bytes.length - at);
};
// Opened at the first row group, so that a failure of its first write is sent back as any other.
let writer: ParquetFileWriter | undefined;
let durationS: number | null = null;
const groups = new TableRowGroups(setup.tableColumns, setup.rowGroupRows, (values, rows) => {
  durationS = durationOf(values[setup.timeIndex]);
  writer ??= openParquetFileWriter(write);
  writer.addRowGroup(layOutColumns(setup.layout, values), rows);
});
let failed = false;

port.on('message', (message: ToWriter) => {
  if (failed) return;
  try {
    if (message.type === 'piece') {
      groups.add(message.table);
      const buffers = arrayBuffersOf(message.table);
      send({ type: 'taken', buffers }, buffers);
    } else {
      const gathered = groups.finish();
      writer?.finish();
      send({ type: 'finished', gathered, durationS });
    }
  } catch (error) {
    failed = true;
    send({ type: 'failed', message: messageOf(error), code: (error as NodeJS.ErrnoException).code });
  }
});
