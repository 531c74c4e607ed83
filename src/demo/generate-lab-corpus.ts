// Writes a realistic, seeded corpus of PyMeasure-style instrument files (and optionally bad ones) for demos, tests and benchmarks.
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BAD_FILE_PROBLEMS, renderBadLabFile, type BadFileProblem } from './bad-lab-files.js';
import { LAB_PROCEDURES, type LabProcedure } from './lab-file-templates.js';
import type { LabChip } from './lab-run-parts.js';
import { planLabCorpus, type PlannedDay } from './plan-lab-corpus.js';
import { renderLabFile, type LabFileQuirk } from './render-lab-file.js';
import { seededRandom } from './seeded-random.js';

export { LAB_PROCEDURES, type LabProcedure } from './lab-file-templates.js';
export { renderLabFile, LAB_FILE_QUIRKS, type LabFileQuirk, type LabFileSpec, type RenderedLabFile } from './render-lab-file.js';
export { BAD_FILE_PROBLEMS, renderBadLabFile, type BadFileProblem } from './bad-lab-files.js';
export type { LabChip } from './lab-run-parts.js';

export interface GenerateLabCorpusOptions {
  /** The folder the corpus is written into (created if missing). */
  readonly root: string;
  /** How many good files to write. */
  readonly files: number;
  /** Default 1. */
  readonly seed?: number;
  /** First lab day, `YYYY-MM-DD`. Default 2025-09-01. */
  readonly startDate?: string;
  /** Consecutive days the files spread over. Default: about 60 files a day (files / 60, at least 1). */
  readonly days?: number;
  /** The chips measured: a number of chips (groups Alisson, Bruno, Carla; numbers 60-90), or the chips themselves. Default 6. */
  readonly chips?: number | readonly LabChip[];
  /** Data rows per file, drawn between min and max (sweeps round to whole steps). Default [100, 300]. */
  readonly rowsPerFile?: readonly [number, number];
  /** Also one file of each BAD_FILE_PROBLEMS kind, in the same folders, with proper names. Default false. */
  readonly badFiles?: boolean;
  /** Also the header quirks staging must accept (LAB_FILE_QUIRKS). Default false: files as the lab's setup writes them. */
  readonly variants?: boolean;
  /** The procedures to write. Default all of LAB_PROCEDURES; the first files cover each once. */
  readonly procedures?: readonly LabProcedure[];
  /** The lab's time zone: file names, folders and lab hours are local to it. Default America/Santiago. */
  readonly timeZone?: string;
}

export interface GeneratedGoodFile {
  readonly kind: 'good';
  /** Relative to root, forward slashes. */
  readonly relPath: string;
  readonly proc: LabProcedure;
  /** Null for procedures that measure no chip (LaserCalibration, Pt). */
  readonly chipGroup: string | null;
  readonly chipNumber: number | null;
  /** The instant the `Start time` header denotes. */
  readonly startTimeUnix: number;
  readonly dataRows: number;
  readonly bytes: number;
  /** The last value of the time column, for procedures with one; else null. */
  readonly durationS: number | null;
  /** The file's mtime: the end of the run. */
  readonly mtimeMs: number;
  readonly quirks: readonly LabFileQuirk[];
}

export interface GeneratedBadFile {
  readonly kind: 'bad';
  readonly relPath: string;
  readonly problem: BadFileProblem;
  readonly bytes: number;
}

export type GeneratedFile = GeneratedGoodFile | GeneratedBadFile;

export interface GeneratedCorpus {
  readonly root: string;
  /** Every file written, day by day in the order written. */
  readonly files: readonly GeneratedFile[];
  readonly totalBytes: number;
}

const WRITE_BATCH = 128;
const DEFAULT_GROUPS = ['Alisson', 'Bruno', 'Carla'];

export async function generateLabCorpus(options: GenerateLabCorpusOptions): Promise<GeneratedCorpus> {
  const seed = options.seed ?? 1;
  const timeZone = options.timeZone ?? 'America/Santiago';
  const days = planLabCorpus({
    files: Math.max(0, Math.floor(options.files)),
    seed,
    startDate: options.startDate ?? '2025-09-01',
    days: Math.max(1, Math.floor(options.days ?? Math.ceil(options.files / 60))),
    chips: chipList(options.chips ?? 6, seed),
    procedures: options.procedures ?? LAB_PROCEDURES,
    rowsPerFile: options.rowsPerFile ?? [100, 300],
    variants: options.variants ?? false,
    timeZone,
  });
  await Promise.all([...new Set(days.map((d) => d.folder))].map((folder) => mkdir(path.join(options.root, folder), { recursive: true })));
  const writer = batchWriter(options.root);
  for (const day of days) await writeDay(day, seed, timeZone, writer);
  if (options.badFiles) for (const [i, problem] of BAD_FILE_PROBLEMS.entries()) await writeBadFile(days, i, problem, seed, writer);
  await writer.flush();
  return { root: options.root, files: writer.written, totalBytes: writer.written.reduce((sum, f) => sum + f.bytes, 0) };
}

/** The first `count` of a fixed, seeded list of distinct chips, or the chips given. */
function chipList(chips: number | readonly LabChip[], seed: number): readonly LabChip[] {
  if (typeof chips !== 'number') return chips.length > 0 ? chips : chipList(6, seed);
  const random = seededRandom(seed, 0xc41);
  const numbers = Array.from({ length: 31 }, (_, i) => 60 + i);
  for (let i = numbers.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [numbers[i], numbers[j]] = [numbers[j] as number, numbers[i] as number];
  }
  return Array.from({ length: Math.max(1, Math.min(chips, 90)) }, (_, i) => ({
    group: DEFAULT_GROUPS[i % DEFAULT_GROUPS.length] as string,
    number: numbers[i % numbers.length] as number,
  }));
}

/** Runs follow each other through the lab day; a day with more runs than fit has several setups running at once. */
async function writeDay(day: PlannedDay, seed: number, timeZone: string, writer: BatchWriter): Promise<void> {
  const random = seededRandom(seed, 0xda7, Date.parse(day.date) / 86_400_000);
  const most = (day.closesUnix - day.opensUnix) / Math.max(1, day.runs.length);
  let cursor = day.opensUnix + random.between(0, 1800);
  for (const run of day.runs) {
    const startTimeUnix = Math.floor(cursor) + random.next();
    const file = renderLabFile({ proc: run.proc, seed: run.seed, rows: run.rows, startTimeUnix, chip: run.chip, quirks: run.quirks, timeZone });
    const bytes = new TextEncoder().encode(file.text);
    const mtimeMs = endOfRun(startTimeUnix + file.elapsedS + random.between(0.2, 1.5));
    await writer.add(`${day.folder}/${run.fileName}`, bytes, mtimeMs, (relPath) => ({
      kind: 'good',
      relPath,
      proc: run.proc,
      chipGroup: file.chipGroup,
      chipNumber: file.chipNumber,
      startTimeUnix: file.startTimeUnix,
      dataRows: file.dataRows,
      bytes: bytes.length,
      durationS: file.durationS,
      mtimeMs,
      quirks: file.quirks,
    }));
    cursor += Math.min(file.elapsedS + random.between(5, 90), most);
  }
}

/** Bad files land in folders spread over the corpus, named as the next It file of their day. */
async function writeBadFile(days: readonly PlannedDay[], index: number, problem: BadFileProblem, seed: number, writer: BatchWriter): Promise<void> {
  const day = days[Math.floor(((index + 0.5) * days.length) / BAD_FILE_PROBLEMS.length)] ?? (days[0] as PlannedDay);
  const sameDayBefore = BAD_FILE_PROBLEMS.slice(0, index).filter((_, j) => days[Math.floor(((j + 0.5) * days.length) / BAD_FILE_PROBLEMS.length)] === day).length;
  const n = (day.nextIndex.get('It') ?? 1) + sameDayBefore;
  const startTimeUnix = day.closesUnix - 600 + index;
  const bytes = renderBadLabFile(problem, seed + index, startTimeUnix);
  await writer.add(`${day.folder}/It${day.date}_${n}.csv`, bytes, endOfRun(startTimeUnix + 200), (relPath) => ({ kind: 'bad', relPath, problem, bytes: bytes.length }));
}

/**
 * Instruments leave a file's mtime at the end of its run; a run planned in the future is dated an hour ago instead.
 * Whole seconds, so the mtime a file system reports back is exactly the one recorded.
 */
function endOfRun(unixSeconds: number): number {
  return Math.floor(Math.min(unixSeconds, Date.now() / 1000 - 3600)) * 1000;
}

interface BatchWriter {
  readonly written: GeneratedFile[];
  add(relPath: string, bytes: Uint8Array, mtimeMs: number, record: (relPath: string) => GeneratedFile): Promise<void>;
  flush(): Promise<void>;
}

/** Writes files a batch at a time: fast on many small files without holding a whole corpus in memory. */
function batchWriter(root: string): BatchWriter {
  const written: GeneratedFile[] = [];
  let pending: Promise<void>[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await Promise.all(batch);
  };
  return {
    written,
    flush,
    async add(relPath, bytes, mtimeMs, record) {
      const absolute = path.join(root, relPath);
      pending.push(writeFile(absolute, bytes).then(() => utimes(absolute, mtimeMs / 1000, mtimeMs / 1000)));
      written.push(record(relPath));
      if (pending.length >= WRITE_BATCH) await flush();
    },
  };
}
