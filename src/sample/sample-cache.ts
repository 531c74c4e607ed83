// The sampler's memory, a small JSON file beside the samples: how far each log was read and what each bronze file gave.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../fs/atomic-file.js';

export const CACHE_FILE_NAME = '.strata-sample-cache.json';

export interface CachedSample {
  readonly mtime: string;
  /** Null when the log line gave no size (the design's producer writes none). */
  readonly size: number | null;
  readonly status: 'sampled' | 'failed';
  /** The sample's file name in the samples folder (none when failed). */
  readonly sample: string | null;
  readonly reason?: string;
}

/** Where reading a log resumes: the byte after the last complete line, its line number, and the log's inode (a new inode is a new log). */
export interface LogPosition {
  readonly offset: number;
  readonly line: number;
  readonly inode: number;
}

interface CacheData {
  readonly version: 1;
  readonly logs: Record<string, LogPosition>;
  readonly files: Record<string, CachedSample>;
}

export class SampleCache {
  private readonly owners = new Map<string, string>();
  private changed = false;

  private constructor(
    readonly file: string,
    private readonly data: CacheData,
  ) {
    for (const [bronze, cached] of Object.entries(data.files)) if (cached.sample) this.owners.set(cached.sample, bronze);
  }

  /** Loads the cache of `samplesDir`; a missing or unreadable cache starts empty (everything is sampled again, harmlessly). */
  static async load(samplesDir: string): Promise<SampleCache> {
    const file = path.join(samplesDir, CACHE_FILE_NAME);
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as CacheData;
      if (data.version === 1 && typeof data.logs === 'object' && typeof data.files === 'object') return new SampleCache(file, data);
    } catch {
      // no cache yet, or a damaged one
    }
    return new SampleCache(file, { version: 1, logs: {}, files: {} });
  }

  logPosition(log: string): LogPosition | undefined {
    return this.data.logs[log];
  }

  setLogPosition(log: string, position: LogPosition): void {
    this.data.logs[log] = position;
    this.changed = true;
  }

  get(bronze: string): CachedSample | undefined {
    return this.data.files[bronze];
  }

  set(bronze: string, cached: CachedSample): void {
    const previous = this.data.files[bronze]?.sample;
    if (previous && previous !== cached.sample) this.owners.delete(previous);
    if (cached.sample) this.owners.set(cached.sample, bronze);
    this.data.files[bronze] = cached;
    this.changed = true;
  }

  /** The bronze file whose sample has this name, if any. */
  ownerOf(sampleName: string): string | undefined {
    return this.owners.get(sampleName);
  }

  async save(): Promise<void> {
    if (!this.changed) return;
    await writeFileAtomically(this.file, JSON.stringify(this.data));
    this.changed = false;
  }
}
