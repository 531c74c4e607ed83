// The histories folder: one `<Group><Number>_history.csv` per chip, and which runs changed seq since the last export.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { HISTORY_CSV_COLUMNS, oldLightMarker, type ChipHistory } from './chip-history.js';
import { toSafeCsv } from './safe-csv.js';

export interface WrittenHistory {
  readonly chip: string;
  readonly file: string;
  readonly runs: number;
  /** Runs already in the previous file whose seq is now different (an earlier-dated run arrived late). */
  readonly renumbered: number;
}

export function historyFileName(history: Pick<ChipHistory, 'chipGroup' | 'chipNumber'>): string {
  return `${history.chipGroup}${history.chipNumber}_history.csv`;
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
export function writeHistoriesFolder(histories: readonly ChipHistory[], outDir: string): WrittenHistory[] {
  return histories.map((history) => {
    const file = path.join(outDir, historyFileName(history));
    const before = previousSeqs(file);
    const renumbered = history.runs.filter((r) => before.has(r.run_id) && before.get(r.run_id) !== String(r.seq)).length;
    writeFileAtomically(file, toSafeCsv(history.runs.map((r) => ({ ...r, light: oldLightMarker(r.has_light) })), HISTORY_CSV_COLUMNS));
    return { chip: `${history.chipGroup}${history.chipNumber}`, file, runs: history.runs.length, renumbered };
  });
}
