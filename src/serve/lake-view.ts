// What `strata serve` reads: the manifest (reloaded when its mtime changes), chips, a chip's runs, a run's row.
import { statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HistoryRun } from '../history/chip-history.js';
import { openManifest, type ManifestHandle } from '../history/manifest-query.js';
import { readRejectRecords } from '../lake/reject-records.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { Paging, RunFilters } from './api-params.js';
import { LIST_COLUMNS, NEWEST_FIRST, RUN_LIST, buildRunList, runListWhere } from './run-list.js';

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

/** A chip's run as `strata history` lists it, with its data file's path (relative to the stage root) and rows. */
export type ChipRun = HistoryRun & { readonly path: string; readonly rows: number };

export type ManifestRecord = Readonly<Record<string, unknown>>;

const TABLE = 'serve_manifest';
const REJECTS_SHOWN = 100;

/** The manifest copied into memory once per version of the file; every API call reads that copy. */
export class LakeView {
  private loadedMtime = -1;
  /** The data files' bytes, summed in the background from the moment a manifest version is read; null until then. */
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

  /** The in-memory copy of the manifest and its run list, for joins (the metrics); call `fresh` first. */
  get tables(): { readonly manifest: string; readonly runs: string } {
    return { manifest: TABLE, runs: RUN_LIST };
  }

  close(): void {
    this.handle.close();
  }

  /** Reloads the manifest when a stage run has replaced it since the last call. */
  async fresh(): Promise<ManifestHandle> {
    const mtime = statSync(this.options.manifestPath).mtimeMs;
    if (mtime !== this.loadedMtime) {
      const { conn } = this.handle;
      await conn.run(`CREATE OR REPLACE TABLE ${TABLE} AS SELECT * FROM read_parquet($file)`, { file: this.options.manifestPath });
      await buildRunList(conn, TABLE, this.options.localTz);
      this.columnNames = new Set((await conn.all<{ column_name: string }>(`DESCRIBE ${TABLE}`)).map((c) => c.column_name));
      this.loadedMtime = mtime;
      this.lakeBytes = null;
      const version = mtime;
      folderBytes(this.options.stageRoot).then(
        (bytes) => {
          if (this.loadedMtime === version) this.lakeBytes = bytes;
        },
        () => undefined,
      );
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
         max(date_local) AS last_date
       FROM ${RUN_LIST} WHERE seq IS NOT NULL GROUP BY chip_group, chip_number ORDER BY chip_group, chip_number`,
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

  /** The chip's runs in history order, numbered as `strata history` numbers them whatever the filters. */
  async chipRuns(chip: ChipSummary, filters: RunFilters): Promise<ChipRun[]> {
    const m = await this.fresh();
    const where = runListWhere({ ...filters, chip });
    return m.conn.all<ChipRun & Record<string, unknown>>(
      `SELECT seq, date_local, time_local, proc, has_light, summary, CAST(file_idx AS DOUBLE) AS file_idx, run_id, source_file, path, rows
       FROM ${RUN_LIST} WHERE ${where.sql} ORDER BY seq`,
      where.params,
    );
  }

  /** Each procedure with its number of runs. */
  async procedures(): Promise<ManifestRecord[]> {
    const m = await this.fresh();
    return (await m.conn.all(`SELECT proc, count(*) AS runs FROM ${RUN_LIST} GROUP BY proc ORDER BY proc`)).map(plain);
  }

  /** The runs of one local day (and procedure), newest last: what a bar of the overview stands for. */
  async runsOn(date: string, proc: string | undefined): Promise<ManifestRecord[]> {
    const m = await this.fresh();
    const where = runListWhere({ date, proc });
    const rows = await m.conn.all(`SELECT ${LIST_COLUMNS} FROM ${RUN_LIST} WHERE ${where.sql} ORDER BY instant, file_idx NULLS LAST, run_id`, where.params);
    return rows.map(plain);
  }

  /** One page of the runs that match, newest first, and how many match in all. */
  async search(search: RunSearch, paging: Paging): Promise<{ total: number; runs: ManifestRecord[] }> {
    const m = await this.fresh();
    const where = runListWhere(search);
    const [count] = await m.conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${RUN_LIST} WHERE ${where.sql}`, where.params);
    const rows = await m.conn.all(
      `SELECT ${LIST_COLUMNS}, source_file FROM ${RUN_LIST} WHERE ${where.sql} ORDER BY ${NEWEST_FIRST} LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      where.params,
    );
    return { total: count?.n ?? 0, runs: rows.map(plain) };
  }

  /** The run's manifest row with its local date and time, or null; `id` must already be checked as 16 hex digits. */
  async run(id: string): Promise<ManifestRecord | null> {
    const m = await this.fresh();
    const rows = await m.conn.all(
      `SELECT m.*, r.date_local AS local_date, r.time_local AS local_time, r.seq AS seq
       FROM ${TABLE} m JOIN ${RUN_LIST} r USING (run_id) WHERE run_id = $id`,
      { id },
    );
    return rows[0] ? plain(rows[0]) : null;
  }

  /** The runs just before and after this one in its chip's history. */
  async neighbours(row: ManifestRecord): Promise<{ previous: string | null; next: string | null }> {
    const seq = row['seq'];
    if (typeof seq !== 'number') return { previous: null, next: null };
    const m = await this.fresh();
    const rows = await m.conn.all<{ run_id: string; seq: number }>(
      `SELECT run_id, seq FROM ${RUN_LIST} WHERE chip_group = $group AND chip_number = $chip AND seq IN ($seq - 1, $seq + 1)`,
      { group: String(row['chip_group']), chip: Number(row['chip_number']), seq },
    );
    return { previous: rows.find((r) => r.seq === seq - 1)?.run_id ?? null, next: rows.find((r) => r.seq === seq + 1)?.run_id ?? null };
  }

  async overview(): Promise<Record<string, unknown>> {
    const m = await this.fresh();
    const [totals] = await m.conn.all(
      `SELECT count(*) AS runs, (SELECT coalesce(sum(rows), 0) FROM ${TABLE}) AS rows, count(DISTINCT chip_name) AS chips,
         count(DISTINCT proc) AS procedures, min(date_local) AS first_date, max(date_local) AS last_date FROM ${RUN_LIST}`,
    );
    const perDay = await m.conn.all(`SELECT date_local AS date, proc, count(*) AS runs FROM ${RUN_LIST} GROUP BY ALL ORDER BY date, proc`);
    const newest = await m.conn.all(`SELECT ${LIST_COLUMNS} FROM ${RUN_LIST} ORDER BY ${NEWEST_FIRST} LIMIT 12`);
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

async function folderBytes(root: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
