// What `strata serve` reads: the manifest (reloaded when its mtime changes), chips, a chip's runs, a run's row.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chipHistory, type HistoryRun } from '../history/chip-history.js';
import { LOCAL_DATE, LOCAL_TIME, ORDER_INSTANT, RUN_ORDER, openManifest, whereClause, type ManifestHandle } from '../history/manifest-query.js';
import { readRejectRecords } from '../lake/reject-records.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { Paging, RunFilters } from './api-params.js';

export interface LakeViewOptions {
  readonly manifestPath: string;
  readonly stageRoot: string;
  readonly rejectsDir: string;
  readonly catalog: ProcedureCatalog;
  readonly localTz: string;
}

export interface ChipSummary {
  readonly chip_group: string;
  readonly chip_number: number;
  readonly chip_name: string;
  readonly runs: number;
  readonly last_date: string;
}

/** A chip named in a URL: by the name `/api/chips` lists (`Alisson67`), or by a number only one group has. */
export type ChipLookup =
  | { readonly kind: 'found'; readonly chip: ChipSummary }
  | { readonly kind: 'ambiguous'; readonly chips: readonly ChipSummary[] }
  | { readonly kind: 'missing' };

/** What the search finds: runs of any chip by chip, procedure, dates, light and text in their summary. */
export interface RunSearch extends RunFilters {
  readonly chip?: ChipSummary | undefined;
  readonly text?: string | undefined;
}

export type ManifestRecord = Readonly<Record<string, unknown>>;

const TABLE = 'serve_manifest';
const LIST_COLUMNS = `run_id, chip_name, chip_group, chip_number, proc, ${LOCAL_DATE} AS date_local, ${LOCAL_TIME} AS time_local, has_light, summary`;
const REJECTS_SHOWN = 100;

/** The manifest copied into memory once per version of the file; every API call reads that copy. */
export class LakeView {
  private loadedMtime = -1;
  private lakeBytes: number | null = null;
  private chipList: ChipSummary[] | null = null;
  private columnNames: ReadonlySet<string> = new Set();

  private constructor(
    readonly options: LakeViewOptions,
    private readonly handle: ManifestHandle,
  ) {}

  static async open(options: LakeViewOptions): Promise<LakeView> {
    const opened = await openManifest(options.manifestPath);
    const view = new LakeView(options, { conn: opened.conn, source: TABLE, close: () => opened.close() });
    await view.fresh();
    return view;
  }

  /** The connection, for reading a run's own Parquet file. */
  get conn(): ManifestHandle['conn'] {
    return this.handle.conn;
  }

  /** The in-memory copy of the manifest, for joins (the metrics); call `fresh` first. */
  get table(): string {
    return TABLE;
  }

  close(): void {
    this.handle.close();
  }

  /** Reloads the manifest when a stage run has replaced it since the last call. */
  async fresh(): Promise<ManifestHandle> {
    const mtime = statSync(this.options.manifestPath).mtimeMs;
    if (mtime !== this.loadedMtime) {
      await this.handle.conn.run(`CREATE OR REPLACE TABLE ${TABLE} AS SELECT * FROM read_parquet($file)`, { file: this.options.manifestPath });
      const columns = await this.handle.conn.all<{ column_name: string }>(`DESCRIBE ${TABLE}`);
      this.columnNames = new Set(columns.map((c) => c.column_name));
      this.loadedMtime = mtime;
      this.lakeBytes = null;
      this.chipList = null;
    }
    return this.handle;
  }

  /** Whether the manifest has this column (parameter columns come and go with the procedures YAML). */
  async hasColumn(name: string): Promise<boolean> {
    await this.fresh();
    return this.columnNames.has(name);
  }

  async chips(group?: string): Promise<ChipSummary[]> {
    const m = await this.fresh();
    this.chipList ??= await m.conn.all<ChipSummary & Record<string, unknown>>(
      `SELECT chip_group, chip_number, coalesce(any_value(chip_name), chip_group || chip_number) AS chip_name, count(*) AS runs,
         max(${LOCAL_DATE}) AS last_date
       FROM ${TABLE} WHERE chip_number IS NOT NULL AND chip_group IS NOT NULL
       GROUP BY chip_group, chip_number ORDER BY chip_group, chip_number`,
      { tz: this.options.localTz },
    );
    return group === undefined ? this.chipList : this.chipList.filter((c) => c.chip_group.toLowerCase() === group.toLowerCase());
  }

  async resolveChip(ref: string, group: string | undefined): Promise<ChipLookup> {
    const wanted = ref.toLowerCase();
    const matches = (await this.chips(group)).filter((c) =>
      /^\d{1,9}$/.test(ref) ? c.chip_number === Number(ref) : c.chip_name.toLowerCase() === wanted || `${c.chip_group}${c.chip_number}`.toLowerCase() === wanted,
    );
    const [only] = matches;
    if (only === undefined) return { kind: 'missing' };
    return matches.length === 1 ? { kind: 'found', chip: only } : { kind: 'ambiguous', chips: matches };
  }

  async chipRuns(chip: ChipSummary, filters: RunFilters): Promise<HistoryRun[]> {
    const m = await this.fresh();
    const history = await chipHistory(m, { chip: chip.chip_number, group: chip.chip_group, proc: filters.proc, localTz: this.options.localTz });
    return history.runs.filter(
      (r) =>
        (filters.light === undefined || r.has_light === filters.light) &&
        (filters.from === undefined || r.date_local >= filters.from) &&
        (filters.to === undefined || r.date_local <= filters.to),
    );
  }

  /** Each procedure with its number of runs. */
  async procedures(): Promise<ManifestRecord[]> {
    const m = await this.fresh();
    return (await m.conn.all(`SELECT proc, count(*) AS runs FROM ${TABLE} GROUP BY proc ORDER BY proc`)).map(plain);
  }

  /** The runs of one local day (and procedure), newest last: what a bar of the overview stands for. */
  async runsOn(date: string, proc: string | undefined): Promise<ManifestRecord[]> {
    const m = await this.fresh();
    const rows = await m.conn.all(
      `SELECT ${LIST_COLUMNS} FROM ${TABLE}
       WHERE ${LOCAL_DATE} = $date AND ($proc IS NULL OR lower(proc) = lower($proc)) ORDER BY ${RUN_ORDER}`,
      { date, proc: proc ?? null, tz: this.options.localTz },
    );
    return rows.map(plain);
  }

  /** One page of the runs that match, newest first, and how many match in all. */
  async search(search: RunSearch, paging: Paging): Promise<{ total: number; runs: ManifestRecord[] }> {
    const m = await this.fresh();
    const { chip, text, ...filters } = search;
    const where = whereClause({ ...filters, chip: chip?.chip_number, group: chip?.chip_group ?? filters.group });
    const sql = `${where.sql} AND ($text IS NULL OR contains(lower(summary), lower($text)))`;
    const params = { ...where.params, text: text ?? null };
    const tz = { tz: this.options.localTz };
    // DuckDB refuses a named parameter the statement does not use: the count needs the zone only for dates.
    const [count] = await m.conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${TABLE} WHERE ${sql}`, sql.includes('$tz') ? { ...params, ...tz } : params);
    const rows = await m.conn.all(
      `SELECT ${LIST_COLUMNS}, source_file FROM ${TABLE} WHERE ${sql}
       ORDER BY ${ORDER_INSTANT} DESC, file_idx DESC NULLS LAST, run_id DESC LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      { ...params, ...tz },
    );
    return { total: count?.n ?? 0, runs: rows.map(plain) };
  }

  /** The run's manifest row, or null; `id` must already be checked as 16 hex digits. */
  async run(id: string): Promise<ManifestRecord | null> {
    const m = await this.fresh();
    const rows = await m.conn.all(`SELECT *, ${LOCAL_DATE} AS local_date, ${LOCAL_TIME} AS local_time FROM ${TABLE} WHERE run_id = $id`, {
      id,
      tz: this.options.localTz,
    });
    return rows[0] ? plain(rows[0]) : null;
  }

  /** The runs just before and after this one in its chip's history. */
  async neighbours(row: ManifestRecord): Promise<{ previous: string | null; next: string | null }> {
    if (row['chip_number'] === null || row['chip_group'] === null) return { previous: null, next: null };
    const m = await this.fresh();
    const rows = await m.conn.all<{ previous: string | null; next: string | null }>(
      `SELECT previous, next FROM (
         SELECT run_id, lag(run_id) OVER w AS previous, lead(run_id) OVER w AS next FROM ${TABLE}
         WHERE chip_group = $group AND chip_number = $chip WINDOW w AS (ORDER BY ${RUN_ORDER})
       ) WHERE run_id = $id`,
      { group: String(row['chip_group']), chip: Number(row['chip_number']), id: String(row['run_id']), tz: this.options.localTz },
    );
    return rows[0] ?? { previous: null, next: null };
  }

  async overview(): Promise<Record<string, unknown>> {
    const m = await this.fresh();
    const tz = { tz: this.options.localTz };
    const [totals] = await m.conn.all(
      `SELECT count(*) AS runs, coalesce(sum(rows), 0) AS rows, count(DISTINCT chip_name) AS chips, count(DISTINCT proc) AS procedures,
         min(${LOCAL_DATE}) AS first_date, max(${LOCAL_DATE}) AS last_date FROM ${TABLE}`,
      tz,
    );
    const perDay = await m.conn.all(`SELECT ${LOCAL_DATE} AS date, proc, count(*) AS runs FROM ${TABLE} GROUP BY ALL ORDER BY date, proc`, tz);
    const newest = await m.conn.all(
      `SELECT ${LIST_COLUMNS} FROM ${TABLE} ORDER BY ${ORDER_INSTANT} DESC, file_idx DESC NULLS LAST, run_id DESC LIMIT 12`,
      tz,
    );
    this.lakeBytes ??= folderBytes(this.options.stageRoot);
    const rejects = [...readRejectRecords(this.options.rejectsDir).values()];
    return {
      totals: plain(totals ?? {}),
      per_day: perDay,
      newest: newest.map(plain),
      rejects: rejects.slice(0, REJECTS_SHOWN).map((r) => ({ source_file: r.source_file, error: r.error, ts: r.ts })),
      rejects_total: rejects.length,
      lake_bytes: this.lakeBytes,
      local_tz: this.options.localTz,
    };
  }
}

/** JSON-ready values: timestamps as ISO text, and a whole number past 2^53 (the engine keeps it a bigint) as the nearest number. */
export function plain(row: Record<string, unknown>): ManifestRecord {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' ? String(v) : v;
  }
  return out;
}

function folderBytes(root: string): number {
  let total = 0;
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
