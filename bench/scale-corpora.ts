// The scale benchmark's files: generated corpora kept between invocations, and the lakes' manifests read for their
// run count.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { projectRoot } from '../src/version.js';

export const WORK = path.join(projectRoot, '.bench', 'scale');
export const SHARED_CORPUS = path.resolve(projectRoot, '../shared/corpus/lab');

/**
 * A generated corpus of `files` good files, written once and kept under .bench/scale (a 100,000-file corpus takes
 * minutes to write): the same seed always gives the same files.
 */
export async function generatedCorpus(files: number, seed = files): Promise<string> {
  const root = path.join(WORK, `generated-${files}-seed${seed}`);
  if (!existsSync(path.join(root, '.complete'))) {
    rmSync(root, { recursive: true, force: true });
    await generateLabCorpus({ root, files, seed });
    writeFileSync(path.join(root, '.complete'), '');
  }
  return root;
}

/** Runs in a lake's manifest (0 while it has none), from the Parquet footer alone. */
export function manifestRuns(stageRoot: string): Promise<number> {
  return parquetRows(path.join(path.dirname(stageRoot), '_manifest', 'manifest.parquet'));
}

/** Rows of a Parquet file from its footer; 0 while it is missing. */
export async function parquetRows(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  try {
    return Number((await parquetMetadataAsync(await asyncBufferFromFile(file))).num_rows);
  } catch {
    return 0; // replaced while read: the next look sees the new one
  }
}

/** A copy of `from` at `to` with every file's modification time kept (`cp -a`). */
export function copyTree(from: string, to: string): void {
  discard(to);
  execFileSync('cp', ['-a', from, to]);
}

/** The folder a benchmark makes; one an earlier invocation left is put aside first (`discard`). */
export function freshDir(...parts: string[]): string {
  const dir = path.join(WORK, ...parts);
  discard(dir);
  return dir;
}

// Folders a benchmark is done with are moved into a trash folder (one rename) and deleted only once the invocation
// has measured everything. On ext4, files made within a few minutes of a large delete cost several times their
// usual kernel time: to find a free inode, the kernel skips every inode deleted in the last minute (five, when its
// block is not yet written back), one by one (recently_deleted() in fs/ext4/ialloc.c). A first run of 100,000 files
// made right after another lake's delete took half as long again, all of it system time.
const TRASH = path.join(WORK, 'trash');
const EMPTIED = path.join(WORK, 'trash-emptied-at');
/** How long ext4 may skip a deleted inode: a minute, plus five while its inode table block is dirty. */
const INODE_RECENCY_MS = 6 * 60_000;

/** Moves `dir` (when it exists) into the trash, to be deleted by `emptyTrash` once nothing is being timed. */
export function discard(dir: string): void {
  if (!existsSync(dir)) return;
  mkdirSync(TRASH, { recursive: true });
  renameSync(dir, path.join(TRASH, `${Date.now()}-${Math.random().toString(16).slice(2)}`));
}

/** Deletes what was discarded, and notes when, so that the next invocation can wait for the kernel to forget it. */
export function emptyTrash(): void {
  if (!existsSync(TRASH)) return;
  rmSync(TRASH, { recursive: true, force: true });
  writeFileSync(EMPTIED, String(Date.now()));
}

/** Waits until the last `emptyTrash` is old enough not to slow the files this invocation makes; says so first. */
export async function afterLastDelete(say: (line: string) => void): Promise<void> {
  // A trash an interrupted invocation left is deleted now, and waited for like any other.
  emptyTrash();
  const at = existsSync(EMPTIED) ? Number(readFileSync(EMPTIED, 'utf8')) : 0;
  const wait = at + INODE_RECENCY_MS - Date.now();
  if (!(wait > 0)) return;
  say(`waiting ${Math.ceil(wait / 1000)} s: the last invocation's folders were deleted ${Math.round((Date.now() - at) / 1000)} s ago, and ext4 makes new files slowly for a few minutes after a large delete`);
  await sleep(wait);
}
