// The runs `strata derive` works on, as the manifest records them: identity, chip, light, time and parameters.
import { sqlIdentifier, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';

export interface ManifestRun {
  readonly runId: string;
  readonly proc: string;
  /** The data file, relative to the stage root, with forward slashes. */
  readonly path: string;
  readonly sourceFile: string;
  readonly rows: number;
  readonly chipGroup: string | null;
  readonly chipNumber: number | null;
  readonly hasLight: boolean | null;
  readonly startMs: number | null;
  readonly sourceSha1: string | null;
  readonly ingestedMs: number | null;
  /** The parameter columns the metrics read (laser voltage, drain voltage...); null when absent. */
  readonly params: Readonly<Record<string, number | string | boolean | null>>;
}

type Row = Record<string, unknown>;

/** The manifest's runs of `procedures`, with the parameter columns asked for (a column the manifest lacks reads as null). */
export async function readManifestRuns(conn: EngineConnection, manifestFile: string, procedures: readonly string[], paramColumns: readonly string[]): Promise<ManifestRun[]> {
  if (procedures.length === 0) return [];
  const source = `read_parquet(${sqlLiteral(manifestFile)})`;
  const present = new Set((await conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${source}`)).map((c) => c.column_name));
  const optional = (column: string, sql: string) => (present.has(column) ? sql : `NULL AS ${sqlIdentifier(column)}`);
  const params = paramColumns.filter((c) => present.has(c));
  const rows = await conn.all<Row>(
    `SELECT run_id, proc, path, source_file, "rows", chip_group, chip_number, has_light,
       epoch_ms(start_time_utc) AS start_ms, ${optional('source_sha1', 'source_sha1')}, ${optional('ingested_at_utc', 'epoch_ms(ingested_at_utc) AS ingested_ms')}
       ${params.map((c) => `, ${sqlIdentifier(c)}`).join('')}
     FROM ${source} WHERE proc IN (${procedures.map(sqlLiteral).join(', ')}) ORDER BY run_id`,
  );
  const seen = new Set<string>();
  const runs: ManifestRun[] = [];
  for (const row of rows) {
    const runId = String(row['run_id']);
    if (seen.has(runId)) continue; // a manifest holding a run twice: validate-manifest reports it; the first is used
    seen.add(runId);
    runs.push({
      runId,
      proc: String(row['proc']),
      path: String(row['path']),
      sourceFile: String(row['source_file']),
      rows: Number(row['rows'] ?? 0),
      chipGroup: (row['chip_group'] as string | null) ?? null,
      chipNumber: row['chip_number'] === null || row['chip_number'] === undefined ? null : Number(row['chip_number']),
      hasLight: (row['has_light'] as boolean | null) ?? null,
      startMs: row['start_ms'] === null || row['start_ms'] === undefined ? null : Number(row['start_ms']),
      sourceSha1: (row['source_sha1'] as string | null) ?? null,
      ingestedMs: row['ingested_ms'] === null || row['ingested_ms'] === undefined ? null : Number(row['ingested_ms']),
      params: Object.fromEntries(paramColumns.map((c) => [c, paramValue(row[c])])),
    });
  }
  return runs;
}

function paramValue(value: unknown): number | string | boolean | null {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}
