// The journal of a stage run: each staged run's manifest row, appended as soon as its data file is published, until
// the manifest holds it. A run killed halfway leaves it behind; the next run adopts the rows whose data file is whole.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { appendWhole } from '../fs/atomic-file.js';
import { namingFullDisk } from '../errors.js';

export interface RunJournal {
  readonly file: string;
  /** Whether a run that died left rows here. */
  exists(): boolean;
  /** Appends one row as one line (whole or not at all: a full disk is an error that names the journal). */
  append(row: object): void;
  /** The rows a run that died left, but the line it was writing when it died. */
  read(): unknown[];
  /** Empties it: the manifest holds every row it had. */
  clear(): void;
  close(): void;
}

export function openRunJournal(file: string): RunJournal {
  let fd: number | undefined;
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    file,
    exists: () => existsSync(file),
    append(row) {
      try {
        fd ??= openSync(file, 'a');
      } catch (error) {
        throw namingFullDisk(file, error);
      }
      appendWhole(fd, `${JSON.stringify(row)}\n`, file);
    },
    read() {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return line.trim() === '' ? [] : [JSON.parse(line) as unknown];
          } catch {
            return []; // the line being written when the run died
          }
        });
    },
    clear() {
      close();
      rmSync(file, { force: true });
    },
    close,
  };
}

/** Whether `file` starts and ends with Parquet's magic (only those 8 bytes are read): a data file written whole. */
export function isWholeParquet(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return head.toString('latin1') === 'PAR1' && tail.toString('latin1') === 'PAR1';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
