// Gathers a streamed run's rows into row groups, and encodes and writes them, on a thread of its own
// (row-group-writer-worker.ts), while the stage worker that reads and parses the file goes on with its next rows.
// Parsing limits a big file's speed: on that thread alone, copying rows into row groups and encoding them (gzip
// most of it) was half of the time, and the machine's other cores sat idle. A parsed piece's typed arrays move to
// the writer thread (transferred, not copied) and come back once copied into a row group, to parse a later piece
// into; the parsing thread waits whenever a few pieces wait to be taken, so memory stays at a few pieces and one
// row group whatever the file's size.
import type { Worker } from 'node:worker_threads';
import type { DataTable, TableColumn } from '../parse/data-table.js';
import type { GatheredTable } from '../parse/table-row-groups.js';
import { startModuleWorker } from './module-worker.js';
import type { DataColumnLayout } from './staged-run.js';

/** What the writer thread is given at its start. */
export interface WriterSetup {
  /** The open file it writes (the caller closes it, after `close`). */
  readonly fd: number;
  /** The table's columns as parsed, and the data file's columns made of them. */
  readonly tableColumns: readonly TableColumn[];
  readonly layout: DataColumnLayout;
  readonly rowGroupRows: number;
  /** The time column's index among the table's columns (-1: none), whose last value is the run's duration. */
  readonly timeIndex: number;
  /** Whether it must hold the process's heaps again once its own is made (resident-memory.ts). */
  readonly resident: boolean;
}

export type ToWriter = { readonly type: 'piece'; readonly table: DataTable } | { readonly type: 'finish' };

/** What the writer has once every piece is in: the table's rows and misfits, and the run's duration. */
export interface WrittenTable {
  readonly gathered: GatheredTable;
  readonly durationS: number | null;
}

export type FromWriter =
  | { readonly type: 'taken'; readonly buffers: readonly ArrayBuffer[] }
  | ({ readonly type: 'finished' } & WrittenTable)
  | { readonly type: 'failed'; readonly message: string; readonly code: string | undefined };

/** Pieces handed over and not yet taken into a row group, past which the parsing thread waits. */
const AHEAD = 8;

export interface RowGroupWriter {
  /** Hands a parsed piece over: its arrays move to the writer thread, unusable here. */
  addPiece(table: DataTable): void;
  /** Resolves once few enough pieces wait; rejects with the writer's error once it failed (a full disk...). */
  drained(): Promise<void>;
  /** Writes the last row group and the footer (no file when the table has no rows): the table as gathered. */
  finish(): Promise<WrittenTable>;
  /** Stops the thread, whatever it was doing: once this resolves, it writes nothing more. */
  close(): Promise<void>;
}

/**
 * Starts a writer thread for one streamed run. `spare` receives the arrays of each piece once the writer has
 * taken its rows: a later piece can be parsed into them.
 */
export function startRowGroupWriter(setup: WriterSetup, spare: (buffer: ArrayBuffer) => void = () => {}): RowGroupWriter {
  const worker: Worker = startModuleWorker('row-group-writer-worker', { workerData: setup });
  let pending = 0;
  let failure: Error | undefined;
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let finishing: { resolve: (written: WrittenTable) => void; reject: (error: Error) => void } | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    finishing?.reject(failure);
    waiting = finishing = undefined;
  };
  worker.on('message', (message: FromWriter) => {
    if (message.type === 'taken') {
      pending--;
      message.buffers.forEach(spare);
      if (pending < AHEAD && waiting !== undefined) {
        waiting.resolve();
        waiting = undefined;
      }
    } else if (message.type === 'finished') {
      finishing?.resolve({ gathered: message.gathered, durationS: message.durationS });
      finishing = undefined;
    } else {
      fail(Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code }));
    }
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the row group writer thread stopped before the file was written')));
  return {
    addPiece(table) {
      if (failure !== undefined) return;
      pending++;
      worker.postMessage({ type: 'piece', table } satisfies ToWriter, arrayBuffersOf(table));
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

/** The buffers under a piece's typed arrays, each once (a piece's float columns share one). */
export function arrayBuffersOf(table: DataTable): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const values of table.columns) {
    if (values.kind === 'constant' || values.kind === 'utf8') continue;
    buffers.add(values.values.buffer as ArrayBuffer);
    if (values.valid !== null) buffers.add(values.valid.buffer as ArrayBuffer);
  }
  return [...buffers];
}
