// Atomic writes: a reader sees the old file or the whole new one, never a partial one (write a temp file, then rename).
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A temp name in the target's own folder (rename is atomic only within one file system), hidden from listings. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.tmp-${process.pid}-${randomBytes(4).toString('hex')}-${path.basename(target)}`);
}

/** Runs `write(tempPath)`, then renames the temp file onto `target`; on failure the temp file is removed. */
export async function writeViaTemp<T>(target: string, write: (tempPath: string) => Promise<T>): Promise<T> {
  const temp = tempPathFor(target);
  try {
    const result = await write(temp);
    await rename(temp, target);
    return result;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export async function writeFileAtomically(target: string, data: string | Uint8Array): Promise<void> {
  await writeViaTemp(target, (temp) => writeFile(temp, data));
}
