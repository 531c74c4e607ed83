// Atomic, durable writes: a temp file in the target folder, flushed to disk, then renamed, then the folder
// flushed, so a reader never sees a partial file and a power cut leaves the old file or the new one.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { namingFullDisk } from '../errors.js';
import { filesBelow } from './files-below.js';

const TEMP_MARK = '.strata-tmp-';

/**
 * A temp path beside `target`, hidden and unique: `.part-000.parquet.strata-tmp-<pid>-<random>` (Math.random's
 * 32 bits, a tenth of the cost of crypto's: a stage worker names one a file).
 */
export function tempPathFor(target: string): string {
  const random = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_MARK}${process.pid}-${random}`);
}

/** Removes `dir` when it is empty (a refused run's folder); a folder with something in it, or none, is left alone. */
export function removeEmptyFolder(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (a run staged before is there), or already gone
  }
}

export function isTempFile(name: string): boolean {
  return name.includes(TEMP_MARK);
}

/** fsync of a file or a folder (a folder's entries: the rename that published a file). */
export function syncToDisk(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomically(target: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    writeFileSync(temp, content);
    syncToDisk(temp);
    renameSync(temp, target);
    syncToDisk(path.dirname(target));
  } catch (error) {
    rmSync(temp, { force: true });
    throw namingFullDisk(target, error);
  }
}

/** Runs `write(tempPath)` (a stream, a DuckDB COPY...), then renames the temp file onto `target`; on failure the temp file goes. */
export async function writeViaTemp<T>(target: string, write: (tempPath: string) => Promise<T>): Promise<T> {
  const temp = tempPathFor(target);
  try {
    const result = await write(temp);
    syncToDisk(temp);
    await rename(temp, target);
    syncToDisk(path.dirname(target));
    return result;
  } catch (error) {
    await rm(temp, { force: true });
    throw namingFullDisk(target, error);
  }
}

/**
 * Appends `text` to the open file `fd` (`file`, for the message) whole or not at all: when the disk fills mid-way
 * the part written is cut off again, so the next append does not glue its line to half a line.
 */
export function appendWhole(fd: number, text: string, file: string): void {
  try {
    const written = writeSync(fd, text);
    if (written < Buffer.byteLength(text)) {
      ftruncateSync(fd, fstatSync(fd).size - written);
      throw Object.assign(new Error(`only ${written} bytes of ${Buffer.byteLength(text)} were written`), { code: 'ENOSPC' });
    }
  } catch (error) {
    throw namingFullDisk(file, error);
  }
}

/** Removes temp files a crashed run left below `root`; returns how many. */
export function removeTempFiles(root: string): number {
  let removed = 0;
  for (const file of filesBelow(root)) {
    if (!isTempFile(file.name)) continue;
    rmSync(file.path, { force: true });
    removed++;
  }
  return removed;
}

/** A file written piece by piece beside `target`, then flushed and renamed onto it (`commit`), or removed (`abort`). */
export interface AtomicFile {
  write(bytes: Uint8Array): void;
  commit(): void;
  abort(): void;
}

export function openAtomicFile(target: string): AtomicFile {
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  let fd: number | undefined = openSync(temp, 'w');
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return {
    write(bytes) {
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd!, bytes, done, bytes.length - done);
      } catch (error) {
        throw namingFullDisk(target, error);
      }
    },
    commit() {
      try {
        fsyncSync(fd!);
        close();
        renameSync(temp, target);
        syncToDisk(path.dirname(target));
      } catch (error) {
        close();
        rmSync(temp, { force: true });
        throw namingFullDisk(target, error);
      }
    },
    abort() {
      close();
      rmSync(temp, { force: true });
    },
  };
}
