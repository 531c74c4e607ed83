// The scale benchmark's files: generated corpora kept between invocations, and the lakes' manifests read for their
// run count.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
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
  rmSync(to, { recursive: true, force: true });
  execFileSync('cp', ['-a', from, to]);
}

/** The folder a benchmark makes and removes; removed first if an earlier invocation left it. */
export function freshDir(...parts: string[]): string {
  const dir = path.join(WORK, ...parts);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
