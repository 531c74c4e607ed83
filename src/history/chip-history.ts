// The history of chips: every run of a chip across all days, numbered `seq` in start-time order, from the manifest only.
import { StrataError } from '../errors.js';
import { LOCAL_DATE, LOCAL_TIME, RUN_ORDER, whereClause, type ManifestHandle } from './manifest-query.js';

export type HistoryRun = {
  readonly seq: number;
  readonly date_local: string;
  readonly time_local: string | null;
  readonly proc: string;
  readonly has_light: boolean | null;
  readonly summary: string;
  readonly file_idx: number | null;
  readonly run_id: string;
  readonly source_file: string;
};

/** The old system's markers, kept in CSV beside has_light: 💡 light, 🌙 dark, ❗ unknown. */
export function oldLightMarker(hasLight: boolean | null): string {
  return hasLight === true ? '💡' : hasLight === false ? '🌙' : '❗';
}

/** The CSV columns: the run's fields with the old system's light marker after `has_light`. */
export const HISTORY_CSV_COLUMNS = ['seq', 'date_local', 'time_local', 'proc', 'has_light', 'light', 'summary', 'file_idx', 'run_id', 'source_file'] as const;

export const HISTORY_COLUMNS = [
  'seq',
  'date_local',
  'time_local',
  'proc',
  'has_light',
  'summary',
  'file_idx',
  'run_id',
  'source_file',
] as const satisfies readonly (keyof HistoryRun)[];

export interface ChipHistory {
  readonly chipGroup: string;
  readonly chipNumber: number;
  readonly runs: readonly HistoryRun[];
}

/**
 * `seq` is the run's rank among all its chip's runs (start time, then file_idx), computed before any
 * procedure filter, so `--proc It` shows the same numbers as the full history.
 */
function historySql(source: string, chipWhere: string, runWhere: string): string {
  return `
    WITH chip_runs AS (
      SELECT *, row_number() OVER (PARTITION BY chip_group, chip_number ORDER BY ${RUN_ORDER}) AS seq
      FROM ${source}
      WHERE chip_number IS NOT NULL AND chip_group IS NOT NULL AND ${chipWhere}
    )
    SELECT chip_group, chip_number, seq, ${LOCAL_DATE} AS date_local, ${LOCAL_TIME} AS time_local,
      proc, has_light, summary, CAST(file_idx AS DOUBLE) AS file_idx, run_id, source_file
    FROM chip_runs WHERE ${runWhere}
    ORDER BY chip_group, chip_number, seq`;
}

type HistoryRow = HistoryRun & { readonly chip_group: string; readonly chip_number: number };

function toRun(row: HistoryRow): HistoryRun {
  const { chip_group: _g, chip_number: _n, ...run } = row;
  return run;
}

export interface HistoryOptions {
  readonly chip: number;
  readonly group?: string | undefined;
  readonly proc?: string | undefined;
  /** Only runs with (true) or without (false) light; seq stays the number in the full history. */
  readonly light?: boolean | undefined;
  /** Only the most recent `limit` runs (after the filters). */
  readonly limit?: number | undefined;
  readonly localTz: string;
}

/** One chip's runs. A chip number used by two groups needs `group`; naming none of them is an error that lists them. */
export async function chipHistory(manifest: ManifestHandle, options: HistoryOptions): Promise<ChipHistory> {
  const chip = whereClause({ chip: options.chip, group: options.group });
  const runs = whereClause({ proc: options.proc, light: options.light });
  const rows = await manifest.conn.all<HistoryRow>(historySql(manifest.source, chip.sql, runs.sql), {
    ...chip.params,
    ...runs.params,
    tz: options.localTz,
  });
  const groups = [...new Set(rows.map((r) => r.chip_group))];
  if (groups.length > 1) {
    throw new StrataError('usage', `chip ${options.chip} exists in groups ${groups.join(', ')}: pass --group to choose one`);
  }
  const kept = options.limit === undefined ? rows : rows.slice(Math.max(0, rows.length - options.limit));
  return { chipGroup: groups[0] ?? options.group ?? '', chipNumber: options.chip, runs: kept.map(toRun) };
}

/** A chip the manifest has no run of, and the chips it has (most runs first). */
export interface MissingChip {
  readonly chip: string;
  readonly known: readonly string[];
  /** The manifest has more chips than `known` lists. */
  readonly more: boolean;
}

const SHOWN_CHIPS = 10;

/** The chip when the manifest has no run at all of it (in this group); null when it exists and only filters left nothing. */
export async function missingChip(manifest: ManifestHandle, chip: { readonly chip: number; readonly group?: string | undefined }): Promise<MissingChip | null> {
  const where = whereClause(chip);
  const [found] = await manifest.conn.all<{ runs: number }>(`SELECT count(*) AS runs FROM ${manifest.source} WHERE ${where.sql}`, where.params);
  if ((found?.runs ?? 0) > 0) return null;
  const chips = await manifest.conn.all<{ chip: string }>(
    `SELECT chip_group || chip_number AS chip FROM ${manifest.source} WHERE chip_number IS NOT NULL AND chip_group IS NOT NULL
     GROUP BY chip_group, chip_number ORDER BY count(*) DESC, chip_group, chip_number LIMIT ${SHOWN_CHIPS + 1}`,
  );
  return { chip: `${chip.group ?? ''}${chip.chip}`, known: chips.slice(0, SHOWN_CHIPS).map((c) => c.chip), more: chips.length > SHOWN_CHIPS };
}

/** The sentence for a missing chip: `there is no chip 999 in <manifest>; its chips with the most runs: ...`. */
export function describeMissingChip(missing: MissingChip, manifestFile: string): string {
  if (missing.known.length === 0) return `there is no chip ${missing.chip} in ${manifestFile}: it has no runs of any chip`;
  return `there is no chip ${missing.chip} in ${manifestFile}; its chips with the most runs: ${missing.known.join(', ')}${missing.more ? ', ...' : ''}`;
}

export interface HistoriesOptions {
  readonly group?: string | undefined;
  readonly minExperiments: number;
  /** As in `chipHistory`: only runs with or without light (seq stays), only each chip's `limit` most recent runs. */
  readonly light?: boolean | undefined;
  readonly limit?: number | undefined;
  readonly localTz: string;
}

/** Every chip's history (chips with at least `minExperiments` runs after the light filter), in one query. */
export async function allChipHistories(manifest: ManifestHandle, options: HistoriesOptions): Promise<ChipHistory[]> {
  const chip = whereClause({ group: options.group });
  const runs = whereClause({ light: options.light });
  const rows = await manifest.conn.all<HistoryRow>(historySql(manifest.source, chip.sql, runs.sql), {
    ...chip.params,
    ...runs.params,
    tz: options.localTz,
  });
  const byChip = new Map<string, { chipGroup: string; chipNumber: number; runs: HistoryRun[] }>();
  for (const row of rows) {
    const key = `${row.chip_group}\u0000${row.chip_number}`;
    let entry = byChip.get(key);
    if (!entry) byChip.set(key, (entry = { chipGroup: row.chip_group, chipNumber: row.chip_number, runs: [] }));
    entry.runs.push(toRun(row));
  }
  const { limit } = options;
  return [...byChip.values()]
    .filter((h) => h.runs.length >= options.minExperiments)
    .map((h) => (limit === undefined ? h : { ...h, runs: h.runs.slice(Math.max(0, h.runs.length - limit)) }));
}
