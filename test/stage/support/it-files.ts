// Small It files written for the tests of a procedure's columns, and the columns the lake then holds.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sqlLiteral } from '../../../src/engine/duckdb.js';
import { readLakeSchemas } from '../../../src/lake/procedure-schemas.js';
import { withConn } from '../../support/with-duckdb.js';

/** The It columns the shipped YAML declares, as an instrument writes them. */
export const IT_COLUMNS = ['t (s)', 'I (A)', 'VL (V)', 'Plate T (degC)', 'Ambient T (degC)', 'Clock (ms)'];

/** An It file starting at `start` (Unix seconds) with the declared columns, then `extra` ones, `rows` rows. */
export function writeItFile(raw: string, name: string, start: number, extra: readonly string[] = [], rows = 5): void {
  const columns = [...IT_COLUMNS, ...extra];
  const header = ['#Procedure: <laser_setup.procedures.It.It>', '#Parameters:', '#\tChip group name: Alisson', '#\tChip number: 67', '#Metadata:', `#\tStart time: ${start}`, '#Data:'];
  const table = Array.from({ length: rows }, (_, r) => columns.map((_, c) => String(r + c / 10)).join(','));
  mkdirSync(raw, { recursive: true });
  writeFileSync(path.join(raw, name), `${[...header, columns.join(','), ...table].join('\n')}\n`);
}

/** Each It data file's column names, in order. */
export async function dataFileColumns(stageRoot: string): Promise<Map<string, string>> {
  return withConn(async (conn) => {
    const rows = await conn.all<{ file_name: string; name: string }>(
      `SELECT file_name, name FROM parquet_schema(${sqlLiteral(`${stageRoot}/proc=It/*/*/*.parquet`)}) WHERE num_children IS NULL`,
    );
    const byFile = new Map<string, string>();
    for (const r of rows) byFile.set(r.file_name, `${byFile.get(r.file_name) ?? ''}${r.name},`);
    return byFile;
  });
}

/** The It columns `schemas.json` records. */
export function recordedColumns(schemasFile: string): string[] {
  return readLakeSchemas(schemasFile).procedures.get('It')?.columns.map((c) => c.name) ?? [];
}
