// Reading what the old Python system wrote: per-day `metadata.csv` files and `<Group><N>_history.csv` files, as runs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { configError } from '../errors.js';
import { yesNo } from '../parse/cell-words.js';

/** One run as the old system listed it; `where` says in which file and line, for messages. */
export interface LegacyRun {
  readonly sourceFile: string;
  readonly proc: string | null;
  readonly chipGroup: string | null;
  readonly chipNumber: number | null;
  readonly hasLight: boolean | null;
  readonly startSeconds: number | null;
  readonly fileIdx: number | null;
  /** The day folder that listed the run (metadata.csv's folder, or the history's `day_folder`). */
  readonly dayFolder: string;
  readonly where: string;
}

/** The runs of one list whose order matters: one chip's history, or (from metadata) one chip's runs by start time. */
export interface LegacyList {
  readonly chip: string | null;
  readonly file: string;
  readonly runs: readonly LegacyRun[];
}

/** One row of an old file as a run; the chip comes from the caller (the row's header columns, or the file name). */
function legacyRun(row: Readonly<Record<string, string>>, source: string, day: string, chip: { group: string | null; number: number | null }, where: string): LegacyRun {
  return {
    sourceFile: source,
    proc: textOrNull(row['proc']) ?? procFromFileName(source),
    chipGroup: chip.group,
    chipNumber: chip.number,
    hasLight: yesNo(row['has_light'] ?? '') ?? null,
    startSeconds: numberOrNull(row['start_time']),
    fileIdx: numberOrNull(row['file_idx']) ?? fileIdxFromName(source),
    dayFolder: day,
    where,
  };
}

const numberOrNull = (text: string | undefined): number | null => {
  const t = (text ?? '').trim();
  if (t === '' || t.toLowerCase() === 'nan') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
};
const textOrNull = (text: string | undefined): string | null => ((text ?? '').trim() === '' ? null : (text ?? '').trim());

/** `IVg2025-09-15_17.csv` -> IVg: the old system named files after their procedure. */
export function procFromFileName(file: string): string | null {
  return /^([A-Za-z]+)\d{4}-\d{2}-\d{2}/.exec(path.posix.basename(file))?.[1] ?? null;
}

export const fileIdxFromName = (file: string): number | null => numberOrNull(/_(\d+)\.csv$/i.exec(file)?.[1]);

function readCsv(file: string): Record<string, string>[] {
  try {
    return parse(readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  } catch (error) {
    throw configError(`${file}: not a CSV the old system wrote (${error instanceof Error ? error.message : String(error)})`, { file });
  }
}

function requireColumns(file: string, rows: readonly Record<string, string>[], columns: readonly string[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const missing = columns.filter((c) => !Object.hasOwn(first, c));
  if (missing.length > 0) throw configError(`${file}: line 1 lacks the column(s) ${missing.join(', ')} the old system wrote`, { file });
}

function listDir(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    return readdirSync(dir).sort();
  } catch {
    throw configError(`${dir}: no such folder of the old system's files`, { file: dir });
  }
}

/** Every `<dir>/<day>/metadata.csv`, each row a run (chip from `Chip group name` and `Chip number`). */
export function readLegacyMetadata(dir: string): LegacyRun[] {
  const runs: LegacyRun[] = [];
  for (const day of listDir(dir)) {
    const file = path.join(dir, day, 'metadata.csv');
    if (!existsSync(file)) continue;
    const rows = readCsv(file);
    requireColumns(file, rows, ['source_file', 'start_time', 'has_light']);
    rows.forEach((row, i) => {
      const source = (row['source_file'] ?? '').replaceAll('\\', '/');
      const number = numberOrNull(row['Chip number']);
      const group = number === null ? null : textOrNull(row['Chip group name']);
      runs.push(legacyRun(row, source, day, { group, number }, `${file} line ${i + 2}`));
    });
  }
  return runs;
}

/** Every `<Group><N>_history.csv` in `dir`, runs in the file's `seq` order. */
export function readLegacyHistories(dir: string): LegacyList[] {
  const lists: LegacyList[] = [];
  for (const name of listDir(dir)) {
    const match = /^(?<group>.*?)(?<number>\d+)_history\.csv$/.exec(name);
    if (!match?.groups) continue;
    const file = path.join(dir, name);
    const rows = readCsv(file);
    requireColumns(file, rows, ['seq', 'proc', 'source_file', 'start_time', 'has_light']);
    const group = match.groups['group'] ?? '';
    const number = Number(match.groups['number']);
    const runs = rows
      .map((row, i) => {
        const day = (row['day_folder'] ?? '').trim();
        const raw = (row['source_file'] ?? '').replaceAll('\\', '/');
        const source = raw.includes('/') || day === '' ? raw : `${day}/${raw}`;
        return { seq: numberOrNull(row['seq']) ?? i + 1, run: legacyRun(row, source, day, { group, number }, `${file} line ${i + 2}`) };
      })
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.run);
    lists.push({ chip: `${group}${number}`, file, runs });
  }
  return lists;
}
