// What a command changed in a folder: every file, link and folder made, changed or removed, from two walks.
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** Each path under the folder (links not followed) and what it is: a file's size, mtime and inode, a link's target. */
export type Snapshot = ReadonlyMap<string, string>;

export function snapshot(dir: string, skip: readonly string[] = []): Snapshot {
  const entries = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (skip.includes(file)) continue;
      if (entry.isSymbolicLink()) entries.set(file, `link ${readlinkSync(file)}`);
      else if (entry.isDirectory()) {
        entries.set(file, 'folder'); // its mtime moves with its entries, which are compared themselves
        walk(file);
      } else {
        const stat = lstatSync(file, { bigint: true });
        entries.set(file, `file ${stat.size} ${stat.mtimeNs} ${stat.ino}`);
      }
    }
  };
  walk(dir);
  return entries;
}

/** The paths made, changed or removed between two snapshots, sorted. */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const changed = new Set<string>();
  for (const [file, what] of after) if (before.get(file) !== what) changed.add(file);
  for (const file of before.keys()) if (!after.has(file)) changed.add(file);
  return [...changed].sort();
}

/** Whether `file` is `root` or lies under it. */
export function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(`${root}${path.sep}`);
}
