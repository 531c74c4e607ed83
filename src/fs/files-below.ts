// Every file below a folder, a folder at a time, depth first: memory holds one folder's entries per level, never a
// listing of the whole tree (a lake's stage root holds a folder per run). Symbolic links are not followed, and a
// folder that cannot be read is passed over.
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface FileBelow {
  /** The file's path: `root` joined with the folders down to it. */
  readonly path: string;
  readonly name: string;
}

export function* filesBelow(root: string): Generator<FileBelow> {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) yield* filesBelow(full);
    else if (entry.isFile()) yield { path: full, name: entry.name };
  }
}
