// The raw formats strata stages, in the order they are asked whether a file is theirs. A new format is one module
// in formats/ that exports a RawFormat, listed here; discovery then takes its extensions.
import { pymeasureCsv } from './formats/pymeasure-csv.js';
import { pymeasureTsv } from './formats/pymeasure-tsv.js';
import type { RawFormat } from './raw-format.js';

/** Tab-separated is asked first: PyMeasure CSV recognises every file (the format its problems are said in). */
export const RAW_FORMATS: readonly RawFormat[] = [pymeasureTsv, pymeasureCsv];

/** Every extension some format takes: what discovery lists (`.csv`, `.tsv`). */
export const RAW_EXTENSIONS: readonly string[] = [...new Set(RAW_FORMATS.flatMap((f) => f.extensions))];

/** The format that reads these bytes (all of them, or at least the head). */
export function rawFormatOf(bytes: Buffer): RawFormat {
  return RAW_FORMATS.find((f) => f.recognises(bytes)) ?? pymeasureCsv;
}
