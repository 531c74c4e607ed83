// Finds the raw files to stage: every *.csv under the root, sorted; hidden folders, `._*` and in-flight files skipped.
import { statSync } from 'node:fs';
import path from 'node:path';
import { fdir } from 'fdir';
import { configError } from '../errors.js';
import { isInFlightFile } from './in-flight.js';

export interface RawFile {
  readonly absPath: string;
  /** Relative to the raw root, forward slashes, case as on disk. */
  readonly relPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface DiscoverOptions {
  readonly extensions?: readonly string[];
  readonly inFlightPrefixes?: readonly string[];
}

/** A folder is skipped when hidden (`.git`, `.venv`, `.ipynb_checkpoints`, any `.name`) or a Python cache. */
export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || name === '__pycache__' || name === 'node_modules';
}

/**
 * Symbolic links are not followed (a link can never make the walk loop or stage a file twice);
 * files are stat-ed once here, which is all an unchanged file costs on a re-run.
 */
export function discoverRawFiles(rawRoot: string, options: DiscoverOptions = {}): RawFile[] {
  const extensions = (options.extensions ?? ['.csv']).map((e) => e.toLowerCase());
  let rootIsDir = false;
  try {
    rootIsDir = statSync(rawRoot).isDirectory();
  } catch {
    rootIsDir = false;
  }
  if (!rootIsDir) throw configError(`the raw root ${rawRoot} does not exist or is not a folder.`, { rawRoot });
  const relPaths = new fdir()
    .withRelativePaths()
    .withPathSeparator('/')
    .exclude((dirName) => isSkippedFolder(dirName))
    .filter((filePath) => {
      const name = filePath.slice(filePath.lastIndexOf('/') + 1);
      return (
        !name.startsWith('.') && // hidden files, and the `._*` files macOS leaves on shared drives
        extensions.some((e) => name.toLowerCase().endsWith(e)) &&
        !isInFlightFile(name, options.inFlightPrefixes)
      );
    })
    .crawl(rawRoot)
    .sync();
  relPaths.sort();
  const files: RawFile[] = [];
  for (const relPath of relPaths) {
    const absPath = path.join(rawRoot, relPath);
    const stat = statSync(absPath, { throwIfNoEntry: false });
    if (stat?.isFile()) files.push({ absPath, relPath, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return files;
}
