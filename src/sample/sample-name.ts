// Sample file names: `<name>_sample.<ext>`, always directly inside the samples folder.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { StrataError } from '../errors.js';

/**
 * `data` + `csv.gz` -> `data_sample.csv.gz`; with a `suffix` (to tell two same-named files apart) ->
 * `data~1a2b3c4d_sample.csv.gz`. The caller checks the plain name against the rule of src/fs/safe-name.ts first.
 */
export function sampleFileName(stem: string, ext: string, suffix?: string): string {
  return `${stem}${suffix ? `~${suffix}` : ''}_sample.${ext}`;
}

/** A short, stable tag of a bronze path, used when two bronze files would get the same sample name. */
export function pathTag(bronzePath: string): string {
  return createHash('sha1').update(bronzePath).digest('hex').slice(0, 8);
}

/** The full path of a sample, refusing anything that would land outside `samplesDir`. */
export function samplePath(samplesDir: string, fileName: string): string {
  const dir = path.resolve(samplesDir);
  const full = path.resolve(dir, fileName);
  if (path.dirname(full) !== dir || fileName.includes('/') || fileName.includes('\\')) {
    throw new StrataError('internal', `Refusing to write the sample ${JSON.stringify(fileName)} outside ${dir}.`);
  }
  return full;
}
