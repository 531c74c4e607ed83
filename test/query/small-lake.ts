// A small staged lake for the query tests, and the CLI pointed at it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

export interface SmallLake {
  /** The folder holding raw/, stage/ and _manifest/. */
  readonly root: string;
  readonly stageRoot: string;
  readonly manifestPath: string;
}

export interface SmallLakeOptions {
  readonly files?: number;
  /** The days the files spread over. */
  readonly days?: number;
  /** The folder for raw/ and lake/ (a fresh temp folder unless given). */
  readonly root?: string;
}

/** Stages generated lab files (24 over 3 days unless told) into `<root>/lake`. */
export async function smallLake({ files = 24, days = 3, root = tempDir() }: SmallLakeOptions = {}): Promise<SmallLake> {
  const raw = path.join(root, 'raw');
  await generateLabCorpus({ root: raw, files, days, seed: 7 });
  const { config } = await stageInto(raw, path.join(root, 'lake'));
  return { root: path.join(root, 'lake'), stageRoot: config.stageRoot, manifestPath: config.manifestPath };
}

/** `strata query SQL --stage-root <lake> ...` in this process. */
export function query(lake: SmallLake, sql: string, ...flags: string[]): Promise<CliRun> {
  return runCli(['query', sql, '--stage-root', lake.stageRoot, ...flags]);
}

/** Every path under `dir`, relative, sorted: what a test compares before and after to see that nothing was written. */
export function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}
