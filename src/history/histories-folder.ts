// The histories folder: one `<Group><Number>_history.csv` per chip, and which runs changed seq since the last export.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { checkSafeName } from '../fs/safe-name.js';
import { isInside } from '../fs/inside-root.js';
import { HISTORY_CSV_COLUMNS, oldLightMarker, type ChipHistory } from './chip-history.js';
import { toSafeCsv } from './safe-csv.js';

/** What became of one chip's history: written, or refused because its name cannot name a file. */
export type HistoryOutcome =
  | {
      readonly kind: 'written';
      readonly chip: string;
      readonly file: string;
      readonly runs: number;
      /** Runs already in the previous file whose seq is now different (an earlier-dated run arrived late). */
      readonly renumbered: number;
    }
  | { readonly kind: 'refused'; readonly chip: string; readonly runs: number; readonly reason: string };

export type HistoryFile = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly reason: string };

/**
 * Where a chip's history goes in `outDir` (`Alisson67_history.csv`), or why it may not be written: a chip group
 * read from a file is part of the name, and a lake staged before strata checked names may hold one that climbs out
 * of the folder (`../../tmp/x`) or makes folders (`a/b`).
 */
export function historyFilePath(outDir: string, history: Pick<ChipHistory, 'chipGroup' | 'chipNumber'>, format: 'csv' | 'parquet'): HistoryFile {
  const chip = `${history.chipGroup}${history.chipNumber}`;
  const name = checkSafeName(chip, 'a chip name (its group, then its number)');
  if (!name.ok) return { ok: false, reason: refusal(chip, name.reason) };
  const file = path.join(outDir, `${chip}_history.${format}`);
  if (!isInside(file, outDir)) return { ok: false, reason: refusal(chip, `${file} would lie outside ${outDir}`) };
  return { ok: true, file };
}

function refusal(chip: string, why: string): string {
  return `the history of chip ${JSON.stringify(chip)} is not written: ${why}. Its runs were staged before strata checked names (strata validate-manifest lists them)`;
}

/** run_id -> seq of a history file written before; empty when there is none or it cannot be read. */
function previousSeqs(file: string): Map<string, string> {
  if (!existsSync(file)) return new Map();
  try {
    const records = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    return new Map(records.map((r) => [r['run_id'] ?? '', r['seq'] ?? '']));
  } catch {
    return new Map();
  }
}

/** Writes each chip's history atomically into `outDir` and reports, per chip, how many earlier runs were renumbered. */
export function writeHistoriesFolder(histories: readonly ChipHistory[], outDir: string): HistoryOutcome[] {
  return histories.map((history): HistoryOutcome => {
    const chip = `${history.chipGroup}${history.chipNumber}`;
    const target = historyFilePath(outDir, history, 'csv');
    if (!target.ok) return { kind: 'refused', chip, runs: history.runs.length, reason: target.reason };
    const { file } = target;
    const before = previousSeqs(file);
    const renumbered = history.runs.filter((r) => before.has(r.run_id) && before.get(r.run_id) !== String(r.seq)).length;
    writeFileAtomically(file, toSafeCsv(history.runs.map((r) => ({ ...r, light: oldLightMarker(r.has_light) })), HISTORY_CSV_COLUMNS));
    return { kind: 'written', chip, file, runs: history.runs.length, renumbered };
  });
}
