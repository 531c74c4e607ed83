// The stage root a manifest-reading command writes or reads data files under: --stage-root, else the folder beside
// the manifest's that holds proc=* folders. Its own module so `strata history` can load it only for --format parquet.
import path from 'node:path';
import { configError } from '../errors.js';
import { findStageRoot } from '../lake/validate-manifest.js';
import type { CliIo } from './io.js';

export function stageRootOf(io: CliIo, stageRoot: string | undefined, manifestFile: string): string {
  const found = stageRoot ? path.resolve(io.cwd, stageRoot) : findStageRoot(manifestFile);
  if (found === null) throw configError(`cannot tell which folder beside ${path.dirname(manifestFile)} is the stage root: pass --stage-root`);
  return found;
}
