// Manifest rows for tests and benchmarks: plausible runs, written through the real manifest store.
import { createHash } from 'node:crypto';
import { Engine } from '../../src/engine/duckdb.js';
import type { ParameterColumn } from '../../src/lake/manifest-columns.js';
import { writeManifestAtomically } from '../../src/lake/manifest-store.js';
import { describeRun } from '../../src/lake/run-summary.js';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';

/** The summaries come from the shipped procedures YAML, as staging writes them. */
const SHIPPED = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML);

export const TEST_PARAMETERS: readonly ParameterColumn[] = [
  { name: 'laser_wavelength_nm', type: 'float' },
  { name: 'laser_voltage_v', type: 'float' },
  { name: 'vg_v', type: 'float' },
  { name: 'vds_v', type: 'float' },
  { name: 'vg_start_v', type: 'float' },
  { name: 'vg_end_v', type: 'float' },
  { name: 'information', type: 'str' },
  { name: 'sample', type: 'str' },
];

export interface RunSpec {
  readonly chip?: number | null;
  readonly group?: string | null;
  readonly proc?: string;
  readonly start: string | null; // ISO with zone
  readonly fileIdx?: number | null;
  readonly light?: boolean | null;
  readonly dateLocal?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function runId(seed: string): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, 16);
}

/** A complete, valid manifest row for a run. */
export function manifestRow(spec: RunSpec): Record<string, unknown> {
  const proc = spec.proc ?? 'It';
  const group = spec.group === undefined ? 'Alisson' : spec.group;
  const chip = spec.chip === undefined ? 67 : spec.chip;
  const date = spec.dateLocal ?? (spec.start ?? '2025-09-04').slice(0, 10);
  const source = `${date}/${proc}${date}_${spec.fileIdx ?? 0}.csv`;
  const id = runId(`${source}|${spec.start}|${chip}|${spec.fileIdx}`);
  const light = spec.light === undefined ? true : spec.light;
  const row: Record<string, unknown> = {
    run_id: id,
    source_file: source,
    proc,
    start_time_utc: spec.start,
    date_local: date,
    date_origin: spec.start ? 'meta' : 'path',
    file_idx: spec.fileIdx ?? null,
    chip_group: group,
    chip_number: chip,
    chip_name: group !== null && chip !== null ? `${group}${chip}` : null,
    has_light: light,
    rows: 100,
    duration_s: proc === 'It' ? 120 : null,
    summary: '',
    path: `proc=${proc}/date=${date}/run_id=${id}/part-000.parquet`,
    status: 'ok',
    schema_version: 1,
    extraction_version: 'test',
    ingested_at_utc: '2025-11-01T00:00:00Z',
    source_size: 1000,
    source_mtime_ms: 1.7e12,
    source_sha1: 'a'.repeat(40),
    warnings: '[]',
    laser_wavelength_nm: light ? 455 : null,
    laser_voltage_v: light ? 3 : 0,
    vg_v: proc === 'It' ? -3 : null,
    vg_start_v: proc === 'IVg' ? -5 : null,
    vg_end_v: proc === 'IVg' ? 5 : null,
    ...spec.extra,
  };
  row['summary'] = describeRun(row, SHIPPED.procedures.get(proc)?.summary);
  return row;
}

/** Writes rows as a manifest file with the store under test. */
export async function writeTestManifest(
  file: string,
  rows: readonly unknown[],
  parameters: readonly ParameterColumn[] = TEST_PARAMETERS,
): Promise<void> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  try {
    await writeManifestAtomically(conn, file, rows, parameters);
  } finally {
    conn.close();
    engine.close();
  }
}
