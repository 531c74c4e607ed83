// What a raw file format is to the stage flow: the files discovery takes, how a file is recognised, its header, its table.
import type { HeaderResult } from './instrument-header.js';
import type { Delimiter } from './table-delimiter.js';

export interface RawFormat {
  /** Its name in messages and the docs: `PyMeasure CSV`. */
  readonly name: string;
  /** The file name extensions discovery takes for it, lower case, with the dot. */
  readonly extensions: readonly string[];
  /**
   * Whether a file's bytes (all of them, or at least the head) are in this format. Formats are asked in turn and
   * the first that says yes reads the file, whatever its name: the name decides what discovery takes, the bytes
   * how a file is read (a tab-separated table saved as `.csv` is still read as one).
   */
  recognises(bytes: Buffer): boolean;
  /** The header: procedure, parameters, metadata, the column names and where the table starts. */
  readHeader(bytes: Buffer): HeaderResult;
  /** The byte between the fields of the data table. */
  readonly delimiter: Delimiter;
}
