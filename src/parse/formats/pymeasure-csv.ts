// PyMeasure's results file: a `#` header (procedure, parameters, metadata), then a comma-separated table.
import { parseInstrumentHeader } from '../instrument-header.js';
import type { RawFormat } from '../raw-format.js';
import { COMMA } from '../table-delimiter.js';

export const pymeasureCsv: RawFormat = {
  name: 'PyMeasure CSV',
  extensions: ['.csv'],
  // What PyMeasure writes, and what every other reading of a file falls back to (its problems are said from here).
  recognises: () => true,
  readHeader: (bytes) => parseInstrumentHeader(bytes, COMMA),
  delimiter: COMMA,
};
