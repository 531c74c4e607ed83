// Finds the raw files to stage: every file a raw format takes (*.csv, *.tsv) under the root, sorted; hidden folders,
// `._*` files, in-flight files and symbolic links skipped.
//
// The walk is written here, not taken from a library: a stage run reads it side by side with the index copy, both in
// path order, so that neither is held whole (src/pipeline/triage-raw-files.ts), and the walkers we know (fdir, which
// strata used before, fast-glob, readdirp) either list the whole tree before it can be sorted or yield in the order
// the file system gives. Sorting each folder's entries as it is read costs that folder's list only.
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { configError } from '../errors.js';
import { isInFlightFile } from './in-flight.js';
import { RAW_EXTENSIONS } from '../parse/raw-formats.js';
import { comparePaths } from '../fs/path-order.js';

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
  return [...walkRawFiles(rawRoot, options)];
}

/**
 * The raw files as the walk finds them, in path order (comparePaths), without holding the list: each folder's
 * entries are sorted, a folder by its name and a slash, which orders the full relative paths exactly.
 */
export function* walkRawFiles(rawRoot: string, options: DiscoverOptions = {}): Generator<RawFile> {
  yield* walkRawFolders(rawRoot, [''], options);
}

/** What every relative path under `folder` ('' the whole root) starts with. */
export function folderKey(folder: string): string {
  return folder === '' ? '' : `${folder}/`;
}

/**
 * The raw files in `folders` (relative to the root, forward slashes; '' is the whole root) and below them, each
 * once, in path order: a resident discoverer walks again only where the file system said something changed. A
 * folder inside another given, or inside a skipped one, adds nothing; one that is gone, nothing either.
 */
export function* walkRawFolders(rawRoot: string, folders: readonly string[], options: DiscoverOptions = {}): Generator<RawFile> {
  const extensions = (options.extensions ?? RAW_EXTENSIONS).map((e) => e.toLowerCase());
  let rootIsDir = false;
  try {
    rootIsDir = statSync(rawRoot).isDirectory();
  } catch {
    rootIsDir = false;
  }
  if (!rootIsDir) throw configError(`the raw root ${rawRoot} does not exist or is not a folder.`, { rawRoot });
  const isRawFile = (name: string) =>
    !name.startsWith('._') && // the resource forks macOS leaves on shared drives (a `.name.csv` is staged)
    extensions.some((e) => name.toLowerCase().endsWith(e)) &&
    !isInFlightFile(name, options.inFlightPrefixes);
  const keys = [...new Set(folders)].map(folderKey).sort(comparePaths);
  let last: string | undefined;
  for (const key of keys) {
    const parts = key.split('/').slice(0, -1);
    if (parts.some((part) => part === '' || part === '.' || part === '..' || isSkippedFolder(part))) continue;
    if (last !== undefined && key.startsWith(last)) continue; // inside a folder walked already
    last = key;
    yield* walkFolder(path.join(rawRoot, ...parts), key, isRawFile);
  }
}

function* walkFolder(absDir: string, relDir: string, isRawFile: (name: string) => boolean): Generator<RawFile> {
  let entries: Dirent[];
  try {
    entries = readdirSync(absDir, { withFileTypes: true });
  } catch {
    return; // a folder that cannot be read is passed over, as one that vanished during the walk
  }
  const keyed = entries.map((entry) => ({ entry, key: entry.isDirectory() ? `${entry.name}/` : entry.name }));
  keyed.sort((a, b) => comparePaths(a.key, b.key));
  for (const { entry } of keyed) {
    const relPath = relDir + entry.name;
    const absPath = path.join(absDir, entry.name);
    if (entry.isDirectory()) {
      if (!isSkippedFolder(entry.name)) yield* walkFolder(absPath, `${relPath}/`, isRawFile);
    } else if (isRawFile(entry.name)) {
      const stat = lstatSync(absPath, { throwIfNoEntry: false });
      if (stat?.isFile()) yield { absPath, relPath, size: stat.size, mtimeMs: stat.mtimeMs };
    }
  }
}
