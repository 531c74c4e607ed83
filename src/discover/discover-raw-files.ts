// Finds the raw files to stage: every file a raw format takes (*.csv, *.tsv) under the root, sorted; hidden folders,
// `._*` files, in-flight files and symbolic links skipped.
import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { fdir } from 'fdir';
import { configError } from '../errors.js';
import { isInFlightFile } from './in-flight.js';
import { RAW_EXTENSIONS } from '../parse/raw-formats.js';

export interface RawFile {
  readonly absPath: string;
  /** Relative to the raw root, forward slashes, case as on disk. */
  readonly relPath: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface DiscoverOptions {
  /** The file name extensions to list (lower case, with the dot); every raw format's by default. */
  readonly extensions?: readonly string[];
  readonly inFlightPrefixes?: readonly string[];
}

/** A folder is skipped when hidden (`.git`, `.venv`, `.ipynb_checkpoints`, any `.name`) or a Python cache. */
export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || name === '__pycache__' || name === 'node_modules';
}

/**
 * Symbolic links are not followed, to a folder or to a file: a link can never make the walk loop, stage a file
 * twice, or stage a file from outside the raw root. Files are stat-ed once here (lstat, which sees the link
 * itself), which is all an unchanged file costs on a re-run.
 */
export function discoverRawFiles(rawRoot: string, options: DiscoverOptions = {}): RawFile[] {
  const extensions = (options.extensions ?? RAW_EXTENSIONS).map((e) => e.toLowerCase());
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
        !name.startsWith('._') && // the resource forks macOS leaves on shared drives (a `.name.csv` is staged)
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
    const stat = lstatSync(absPath, { throwIfNoEntry: false });
    if (stat?.isFile()) files.push({ absPath, relPath, size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return files;
}
