// The sampler loop: read new lines of the processed-files log, sample each new or changed bronze file, remember it.
import { statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_IN_FLIGHT_PREFIXES } from '../discover/in-flight.js';
import { Engine, type EngineConnection } from '../engine/duckdb.js';
import { configError } from '../errors.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { logBaseDir, readLogFrom, resolveLogged, type LogLine } from './processed-log.js';
import { SampleCache, type LogPosition } from './sample-cache.js';
import { sampleEntry, type EntryContext, type SampleOutcome } from './sample-entry.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

export interface SamplerOptions {
  readonly log: string;
  readonly samplesDir: string;
  /**
   * Every logged bronze path, links resolved, must lie in this folder; one that does not is a failed sample, never
   * read. Default: the folder `bronze` beside the log's paths (see `logBaseDir`) when there is one, else that folder.
   */
  readonly bronzeRoot?: string;
  readonly rows?: number;
  /** `once`: read the log to its end and stop. `watch`: keep polling the log every `pollMs` until `signal` aborts. */
  readonly mode?: 'once' | 'watch';
  readonly pollMs?: number;
  readonly inFlightPrefixes?: readonly string[];
  /** Aborting stops the sampler after the file in hand, with the cache saved. */
  readonly signal?: AbortSignal;
  readonly progress?: Progress;
  /** Told about every entry and every log line that is not an entry. */
  readonly onOutcome?: (outcome: SampleOutcome | { readonly kind: 'invalid-line'; readonly reason: string }) => void;
  readonly limits?: Partial<typeof DEFAULT_SAMPLE_LIMITS>;
}

export interface SamplerSummary {
  lines: number;
  sampled: number;
  failed: number;
  unchanged: number;
  inFlight: number;
  invalidLines: number;
  failures: { readonly bronze: string; readonly reason: string }[];
}

export const DEFAULT_ROWS = 100;
export const DEFAULT_POLL_MS = 2000;
const SAVE_EVERY = 100;
const MAX_FAILURES_KEPT = 100;

export async function runSampler(options: SamplerOptions): Promise<SamplerSummary> {
  const summary: SamplerSummary = { lines: 0, sampled: 0, failed: 0, unchanged: 0, inFlight: 0, invalidLines: 0, failures: [] };
  const log = path.resolve(options.log);
  await mkdir(options.samplesDir, { recursive: true });
  const cache = await SampleCache.load(options.samplesDir);
  const duckdb = lazyDuckDb();
  const context: Omit<EntryContext, 'where'> = {
    ...DEFAULT_SAMPLE_LIMITS,
    ...options.limits,
    rows: options.rows ?? DEFAULT_ROWS,
    samplesDir: path.resolve(options.samplesDir),
    bronzeRoot: path.resolve(options.bronzeRoot ?? defaultBronzeRoot(log)),
    inFlightPrefixes: options.inFlightPrefixes ?? DEFAULT_IN_FLIGHT_PREFIXES,
    cache,
    duckdb: duckdb.connect,
  };
  try {
    for (;;) {
      await drainLog(log, options, { ...context, where: '' }, summary);
      if (options.mode !== 'watch' || options.signal?.aborted) break;
      await sleep(options.pollMs ?? DEFAULT_POLL_MS, undefined, { signal: options.signal }).catch(() => {});
      if (options.signal?.aborted) break;
    }
  } finally {
    await cache.save();
    await duckdb.close();
  }
  return summary;
}

/** Reads the log from where the cache says it stopped to its last complete line. */
async function drainLog(log: string, options: SamplerOptions, context: EntryContext, summary: SamplerSummary): Promise<void> {
  const info = await stat(log).catch(() => undefined);
  if (!info) {
    if (options.mode === 'watch') return; // the log may not exist yet
    throw configError(`The processed-files log ${log} does not exist.`);
  }
  let position = startPosition(context.cache.logPosition(log), info.ino, info.size);
  if (position.offset >= info.size) return;
  const progress = options.progress ?? silentProgress;
  progress.start('sampling', info.size - position.offset);
  let sinceSave = 0;
  try {
    for (;;) {
      const chunk = await readLogFrom(log, position.offset, position.line);
      if (chunk.nextOffset === position.offset) break;
      for (const line of chunk.lines) {
        if (options.signal?.aborted) return;
        await handleLine(line, log, context, options, summary);
        position = { offset: line.end, line: line.line + 1, inode: info.ino };
        context.cache.setLogPosition(log, position);
        progress.advance(line.end - line.offset);
        if (++sinceSave >= SAVE_EVERY) {
          await context.cache.save();
          sinceSave = 0;
        }
      }
      position = { offset: chunk.nextOffset, line: chunk.nextLine, inode: info.ino };
      context.cache.setLogPosition(log, position);
    }
  } finally {
    progress.stop();
    await context.cache.save();
  }
}

/** `<dataset>/bronze` in the design's layout (the log's base folder holds `bronze/`), else the log's base folder. */
function defaultBronzeRoot(log: string): string {
  const base = logBaseDir(log);
  const bronze = path.join(base, 'bronze');
  return statSync(bronze, { throwIfNoEntry: false })?.isDirectory() ? bronze : base;
}

/** A log with a new inode, or shorter than where we stopped, was replaced: read it from the start. */
function startPosition(known: LogPosition | undefined, inode: number, size: number): LogPosition {
  if (!known || known.inode !== inode || known.offset > size) return { offset: 0, line: 1, inode };
  return known;
}

async function handleLine(line: LogLine, log: string, context: EntryContext, options: SamplerOptions, summary: SamplerSummary): Promise<void> {
  summary.lines += 1;
  if (line.kind === 'invalid') {
    summary.invalidLines += 1;
    options.onOutcome?.({ kind: 'invalid-line', reason: line.reason });
    return;
  }
  // A relative bronze path resolves as the design's layout says (see logBaseDir).
  const bronze = resolveLogged(log, line.entry.bronze);
  const where = `line ${line.line} of ${path.basename(log)}`;
  const outcome = await sampleEntry(line.entry, bronze, { ...context, where });
  if (outcome.kind === 'sampled') summary.sampled += 1;
  else if (outcome.kind === 'unchanged') summary.unchanged += 1;
  else if (outcome.kind === 'in-flight') summary.inFlight += 1;
  else {
    summary.failed += 1;
    if (summary.failures.length < MAX_FAILURES_KEPT) summary.failures.push({ bronze: outcome.bronze, reason: outcome.reason });
  }
  options.onOutcome?.(outcome);
}

/** DuckDB is opened only when a Parquet file turns up, and once per run. */
function lazyDuckDb(): { connect: () => Promise<EngineConnection>; close: () => Promise<void> } {
  let opening: Promise<{ engine: Engine; connection: EngineConnection }> | undefined;
  return {
    connect: async () => {
      opening ??= Engine.open(':memory:', { threads: 2 }).then(async (engine) => ({ engine, connection: await engine.connect() }));
      return (await opening).connection;
    },
    close: async () => {
      // A DuckDB that failed to open has nothing to close; its error went to the sample that asked for it.
      const opened = await opening?.catch(() => undefined);
      opened?.connection.close();
      opened?.engine.close();
    },
  };
}

export type { SampleOutcome, SampleContext };
