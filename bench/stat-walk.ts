// The plain walk the scale benchmark's baselines make (node:fs alone, so that a baseline process loads nothing else).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface StatEntry {
  readonly relPath: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Every `.csv` under `root` with its size and modification time: one readdir per folder, one stat per file. */
export function statWalk(root: string): StatEntry[] {
  const out: StatEntry[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.csv')) continue;
    const absPath = path.join(entry.parentPath, entry.name);
    const stat = statSync(absPath);
    out.push({ relPath: path.relative(root, absPath), absPath, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return out;
}
