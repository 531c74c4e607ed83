// Encodes and writes a streamed run's row groups on a thread of its own (parquet-writer-worker.ts), so that the
// thread that reads and parses the file goes on with the next rows meanwhile: encoding (gzip most of it) was about
// a third of a big file's time on one thread, and the machine's other cores sat idle. A group's typed arrays move to
// the writer thread (transferred, not copied); the reading thread waits whenever more than one group waits to be
// written, so memory stays at a few row groups whatever the file's size.
import type { Worker } from 'node:worker_threads';
import type { ParquetColumn } from '../parquet/parquet-columns.js';
import { startModuleWorker } from './module-worker.js';

export type ToWriter =
  | { readonly type: 'group'; readonly columns: readonly ParquetColumn[]; readonly rows: number }
  | { readonly type: 'finish' };

export type FromWriter =
  | { readonly type: 'written' }
  | { readonly type: 'finished'; readonly rows: number; readonly rowGroups: number }
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined };

/** What the writer thread is given: the open file it writes, and whether it must hold the process's heaps (resident-memory.ts). */
export interface WriterData {
  readonly fd: number;
  readonly resident: boolean;
}

/** Groups handed over and not written yet, past which the reading thread waits (one being encoded, one waiting). */
const AHEAD = 2;

export interface ParquetWriterThread {
  /** Hands rows [0, rows) of `columns` over as the file's next row group: their arrays move to the thread, unusable here. */
  addRowGroup(columns: readonly ParquetColumn[], rows: number): void;
  /** Resolves once few enough groups wait to be written; rejects with the thread's error once it failed (a full disk...). */
  drained(): Promise<void>;
  /** Writes the footer after every group: the file's row count and row groups. */
  finish(): Promise<{ readonly rows: number; readonly rowGroups: number }>;
  /** Stops the thread, whatever it was doing: once this resolves, it writes nothing more. */
  close(): Promise<void>;
}

/** Starts a thread writing a Parquet file, row group by row group, to `fd` (which stays open: the caller closes it after `close`). */
export function startParquetWriterThread(fd: number, options: { readonly resident?: boolean } = {}): ParquetWriterThread {
  const data: WriterData = { fd, resident: options.resident === true };
  const worker: Worker = startModuleWorker('parquet-writer-worker', { workerData: data });
  let pending = 0;
  let failure: Error | undefined;
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let finishing: { resolve: (r: { rows: number; rowGroups: number }) => void; reject: (error: Error) => void } | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    finishing?.reject(failure);
    waiting = finishing = undefined;
  };
  worker.on('message', (message: FromWriter) => {
    if (message.type === 'written') {
      pending--;
      if (pending < AHEAD && waiting !== undefined) {
        waiting.resolve();
        waiting = undefined;
      }
    } else if (message.type === 'finished') {
      finishing?.resolve({ rows: message.rows, rowGroups: message.rowGroups });
      finishing = undefined;
    } else {
      fail(Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code }));
    }
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the Parquet writer thread stopped before the file was written')));
  return {
    addRowGroup(columns, rows) {
      if (failure !== undefined) return;
      pending++;
      worker.postMessage({ type: 'group', columns, rows } satisfies ToWriter, transferables(columns));
    },
    drained() {
      if (failure !== undefined) return Promise.reject(failure);
      if (pending < AHEAD) return Promise.resolve();
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    finish() {
      if (failure !== undefined) return Promise.reject(failure);
      worker.postMessage({ type: 'finish' } satisfies ToWriter);
      return new Promise((resolve, reject) => (finishing = { resolve, reject }));
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** The buffers of a group's typed arrays, each once. */
function transferables(columns: readonly ParquetColumn[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { values } of columns) {
    if (values.kind === 'constant' || values.kind === 'utf8') continue;
    buffers.add(values.values.buffer as ArrayBuffer);
    if (values.valid !== null) buffers.add(values.valid.buffer as ArrayBuffer);
  }
  return [...buffers];
}
