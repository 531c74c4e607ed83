// Which sampler a file gets, from its name: the sample's format, its file name parts and the function that writes it.
import path from 'node:path';
import { sampleCsv } from './sample-csv.js';
import { sampleGzip } from './sample-gzip.js';
import { sampleJson } from './sample-json.js';
import { sampleJsonl } from './sample-jsonl.js';
import { sampleMeta } from './sample-meta.js';
import { sampleParquet } from './sample-parquet.js';
import { sampleTar } from './sample-tar.js';
import { sampleZip } from './sample-zip.js';
import type { Sampler } from './sample-types.js';

export type SampleFormat = 'csv' | 'parquet' | 'json' | 'jsonl' | 'gzip' | 'zip' | 'tar' | 'meta';

export interface SamplerChoice {
  readonly format: SampleFormat;
  /** The sample's name before `_sample`: the file name without its format extension. */
  readonly stem: string;
  /** The sample's extension: `csv`, `csv.gz`, `tar.txt`, `meta.json`... */
  readonly ext: string;
  readonly sample: Sampler;
}

const BY_EXTENSION: Readonly<Record<string, { readonly format: SampleFormat; readonly ext: string; readonly sample: Sampler }>> = {
  '.csv': { format: 'csv', ext: 'csv', sample: sampleCsv },
  '.parquet': { format: 'parquet', ext: 'parquet', sample: sampleParquet },
  '.json': { format: 'json', ext: 'json', sample: sampleJson },
  '.jsonl': { format: 'jsonl', ext: 'jsonl', sample: sampleJsonl },
  '.ndjson': { format: 'jsonl', ext: 'ndjson', sample: sampleJsonl },
  '.zip': { format: 'zip', ext: 'zip', sample: sampleZip },
  '.tar': { format: 'tar', ext: 'tar.txt', sample: sampleTar },
};

/** The sampler for a file name; `name.tar.gz` and `name.tgz` get a meta record (listing them means reading all of them). */
export function chooseSampler(fileName: string): SamplerChoice {
  const base = path.basename(fileName);
  const lower = base.toLowerCase();
  const ext = path.extname(lower);
  if (ext === '.gz' && !lower.endsWith('.tar.gz')) {
    const inner = path.extname(lower.slice(0, -3));
    const stem = base.slice(0, base.length - 3 - inner.length);
    const innerFormat = inner === '.csv' ? 'csv' : 'lines';
    return { format: 'gzip', stem, ext: inner ? `${inner.slice(1)}.gz` : 'gz', sample: (i, o, c) => sampleGzip(i, o, c, innerFormat) };
  }
  const known = BY_EXTENSION[ext];
  if (known) return { ...known, stem: base.slice(0, base.length - ext.length) };
  return { format: 'meta', stem: base, ext: 'meta.json', sample: sampleMeta };
}
