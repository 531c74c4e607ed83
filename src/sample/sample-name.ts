// Sample file names: `<name>_sample.<ext>`, made of safe characters only, always directly inside the samples folder.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { StrataError } from '../errors.js';

const MAX_STEM = 120;

/** A name made only of letters, digits, `.`, `_` and `-`, never hidden, never empty, never `..`. */
export function sanitizeName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD: é -> e
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, MAX_STEM);
  return safe === '' ? 'file' : safe;
}

/** `data` + `csv.gz` -> `data_sample.csv.gz`; with a `suffix` (to tell two same-named files apart) -> `data~1a2b3c4d_sample.csv.gz`. */
export function sampleFileName(stem: string, ext: string, suffix?: string): string {
  const base = sanitizeName(stem) + (suffix ? `~${suffix}` : '');
  return `${base}_sample.${ext}`;
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
