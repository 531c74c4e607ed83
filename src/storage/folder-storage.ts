// A lake's files in a folder: local, or a mount that several machines share (NFS, CephFS, Lustre...). A write is a
// temp file beside its name, flushed to disk, then renamed (replace) or hard-linked (only if absent) to it, then the
// folder flushed: readers see all or nothing, and a power cut leaves the old object or the new one.
import type { Dirent } from 'node:fs';
import { link, lstat, mkdir, open, opendir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StrataError, messageOf, namingFullDisk } from '../errors.js';
import { isTempFile, tempPathFor } from '../fs/atomic-file.js';
import type { LakeStorage, ObjectInfo, PutIfAbsentOutcome, StoredObject } from './lake-storage.js';
import { checkedListPrefix, checkedObjectPath } from './object-path.js';

/** How often a write starts again when a concurrent delete removed the folder it had just made. */
const FOLDER_RACE_RETRIES = 5;

export class FolderStorage implements LakeStorage {
  constructor(
    readonly location: string,
    private readonly root: string = location,
  ) {}

  async put(objectPath: string, body: Uint8Array): Promise<void> {
    const target = this.fileOf(objectPath);
    const temp = await this.writeTemp(objectPath, target, body);
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.failure(`${objectPath} could not be written`, error, target);
    }
    await syncFolder(path.dirname(target));
  }

  async putIfAbsent(objectPath: string, body: Uint8Array): Promise<PutIfAbsentOutcome> {
    const target = this.fileOf(objectPath);
    const temp = await this.writeTemp(objectPath, target, body);
    try {
      // link() makes the name point at the finished file, or fails with EEXIST: never half a file, never two winners.
      await link(temp, target);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return { kind: 'exists' };
      if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errorCode(error) ?? '')) {
        throw new StrataError('storage', `${this.location}: the file system holding it has no hard links, which writing only-if-absent needs (${errorCode(error)}).`, { location: this.location }, { cause: error });
      }
      throw this.failure(`${objectPath} could not be written`, error, target);
    } finally {
      await rm(temp, { force: true });
    }
    await syncFolder(path.dirname(target));
    return { kind: 'written' };
  }

  async get(objectPath: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.fileOf(objectPath));
    } catch (error) {
      if (isMissing(error) || errorCode(error) === 'EISDIR') return null; // S3 has no folders: a folder is no object
      throw this.failure(`${objectPath} could not be read`, error);
    }
  }

  async head(objectPath: string): Promise<ObjectInfo | null> {
    const file = this.fileOf(objectPath);
    try {
      const stats = await lstat(file);
      return stats.isFile() ? infoOf(stats) : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.failure(`${objectPath} could not be read`, error);
    }
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    checkedListPrefix(this.location, prefix);
    // Walk from the deepest folder the prefix names whole; the rest of it filters names.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(folder, prefix);
  }

  async delete(objectPath: string): Promise<void> {
    const file = this.fileOf(objectPath);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      throw this.failure(`${objectPath} could not be deleted`, error);
    }
    await this.removeEmptyFolders(path.dirname(objectPath));
  }

  async deleteMany(paths: Iterable<string> | AsyncIterable<string>): Promise<number> {
    let asked = 0;
    for await (const objectPath of paths) {
      await this.delete(objectPath);
      asked++;
    }
    return asked;
  }

  private async writeTemp(objectPath: string, target: string, body: Uint8Array): Promise<string> {
    try {
      return await writeTempBeside(target, body);
    } catch (error) {
      throw this.failure(`${objectPath} could not be written`, error, target);
    }
  }

  private fileOf(objectPath: string): string {
    return path.join(this.root, ...checkedObjectPath(this.location, objectPath).split('/'));
  }

  private async *walk(folder: string, prefix: string): AsyncGenerator<StoredObject> {
    const dir = path.join(this.root, ...(folder === '' ? [] : folder.split('/')));
    let entries: AsyncIterable<Dirent>;
    try {
      entries = await opendir(dir);
    } catch (error) {
      if (isMissing(error) || errorCode(error) === 'ENOTDIR') return;
      throw this.failure(`${folder || 'its root'} could not be listed`, error);
    }
    for await (const entry of entries) {
      const objectPath = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        const asFolder = `${objectPath}/`;
        if (asFolder.startsWith(prefix) || prefix.startsWith(asFolder)) yield* this.walk(objectPath, prefix);
      } else if (entry.isFile() && !isTempFile(entry.name) && objectPath.startsWith(prefix)) {
        const stats = await lstat(path.join(dir, entry.name)).catch((error: unknown) => {
          if (isMissing(error)) return null; // deleted since the folder was read
          throw this.failure(`${objectPath} could not be read`, error);
        });
        if (stats?.isFile()) yield { path: objectPath, ...infoOf(stats) };
      }
    }
  }

  /** Removes the folders a delete left empty, up to the root (an empty run folder is no part of a lake). */
  private async removeEmptyFolders(folder: string): Promise<void> {
    for (let at = folder; at !== '.' && at !== ''; at = path.posix.dirname(at)) {
      try {
        await rmdir(path.join(this.root, ...at.split('/')));
      } catch {
        return; // not empty, or gone already
      }
    }
  }

  private failure(what: string, error: unknown, file = this.root): unknown {
    const full = namingFullDisk(file, error);
    if (full !== error) return full;
    return new StrataError('storage', `${this.location}: ${what}: ${messageOf(error)}.`, { location: this.location }, { cause: error });
  }
}

/**
 * Writes `body` to a fresh temp file beside `target` and flushes it; returns its path. The folder is made first; a
 * concurrent delete that removes it as empty in between (the temp file was not there yet) makes it start again.
 */
async function writeTempBeside(target: string, body: Uint8Array): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const temp = tempPathFor(target);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return temp;
    } catch (error) {
      await rm(temp, { force: true });
      if (isMissing(error) && attempt < FOLDER_RACE_RETRIES) continue;
      throw error;
    }
  }
}

/** fsync of a folder: the rename or link that published a file in it. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function infoOf(stats: { size: number; mtime: Date; mtimeMs: number; ino: number }): ObjectInfo {
  return { size: stats.size, modified: stats.mtime, etag: `${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}-${stats.ino.toString(16)}` };
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}
