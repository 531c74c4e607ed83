// Bronze locations: where a raw file is kept once processed (environment folder dropped, UTC date folders, time and raw-path prefix).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { StrataError } from '../errors.js';

export interface BronzePathOptions {
  /** When the file is processed; the date folders and the HHMMSS prefix are its UTC date and time. */
  readonly at: Date;
  /** The raw root; its first folder below is the environment folder. Default: the nearest folder named `raw` above the file. */
  readonly rawRoot?: string;
  /** Default: a folder `bronze` beside the raw root. */
  readonly bronzeRoot?: string;
}

/** `143000--` (the design's names) or `143000-1a2b3c4d--` (strata's, with the raw path's tag). */
const TIME_PREFIX = /^\d{6}(?:-[0-9a-f]{8})?--/;

/**
 * `raw/env0/data.csv` at 2026-01-18T14:30:00Z -> `bronze/2026/01/18/143000-<tag>--data.csv`, where the tag is
 * the first 8 hex digits of the SHA-256 of the path below the raw root (`env0/data.csv`, with `/`): dropping the
 * environment folder must not make `env0/data.csv` and `env1/data.csv` of the same second one bronze file.
 * Folders between the environment folder and the file are kept below the date:
 * `raw/env0/chip7/data.csv` -> `bronze/2026/01/18/chip7/143000-<tag>--data.csv`.
 */
export function bronzePathFor(rawFile: string, options: BronzePathOptions): string {
  const rawRoot = options.rawRoot ?? nearestRawRoot(rawFile);
  const relative = path.relative(rawRoot, rawFile);
  const parts = relative.split(path.sep);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || parts.length < 2) {
    throw new StrataError('usage', `${rawFile} is not inside an environment folder of the raw root ${rawRoot} (expected <raw root>/<environment>/<file>).`);
  }
  const bronzeRoot = options.bronzeRoot ?? path.join(path.dirname(rawRoot), 'bronze');
  const iso = options.at.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const [year, month, day] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const time = iso.slice(11, 19).replaceAll(':', '');
  const between = parts.slice(1, -1);
  return path.join(bronzeRoot, year, month, day, ...between, `${time}-${rawPathTag(parts)}--${parts[parts.length - 1]}`);
}

/** 8 hex digits naming the raw file's path below the raw root; the same on every platform. */
export function rawPathTag(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 8);
}

/** The raw file's own name from a bronze name: `143000--data.csv` -> `data.csv`. */
export function rawNameOfBronze(bronzeFile: string): string {
  return path.basename(bronzeFile).replace(TIME_PREFIX, '');
}

function nearestRawRoot(rawFile: string): string {
  for (let dir = path.dirname(rawFile); ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'raw') return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new StrataError('usage', `${rawFile} has no folder named 'raw' above it; give the raw root explicitly.`);
}
