// Generated inputs for the loader suite: period Parquet files, landed CSV and xlsx files, dataset rules, row checksums.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { stringify } from 'yaml';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { parseDatasetRules, type DatasetRules } from '../../src/landed/dataset-rules.js';
import type { StageDatabase, StageTable } from '../../src/load/stage-database.js';

export const CITIZEN_HEADERS = ['citizen_id', 'first_name', 'birth_date', 'income'] as const;

/** The rules of one citizens-like dataset named `name`, its table `name` too; files are `<name>_YYYY-MM.csv|xlsx`. */
export function citizensRulesYaml(name: string): Record<string, unknown> {
  return {
    datasets: {
      [name]: {
        file_pattern: `^${name}_(?<period>\\d{4}-\\d{2})\\.(csv|xlsx)$`,
        table: name,
        required_headers: [...CITIZEN_HEADERS],
        columns: { citizen_id: 'int', first_name: 'str', birth_date: 'date', income: 'float' },
        primary_key: ['citizen_id'],
      },
    },
  };
}

export function writeCitizensRules(dir: string, name: string): { file: string; rules: DatasetRules } {
  const file = path.join(dir, 'datasets.yml');
  writeFileSync(file, stringify(citizensRulesYaml(name)));
  return { file, rules: parseDatasetRules(citizensRulesYaml(name), file) };
}

export const citizensTable = (name: string): StageTable => ({
  dataset: name,
  name,
  columns: [
    { name: 'citizen_id', type: 'int' },
    { name: 'first_name', type: 'str' },
    { name: 'birth_date', type: 'date' },
    { name: 'income', type: 'float' },
  ],
});

export interface PeriodRows {
  readonly period: string;
  readonly rows: number;
  /** Shifts incomes and names, so two files of the same period hold different data. */
  readonly seed: number;
  /** The last row is broken: `type` puts text in income, `period` gives it another period. */
  readonly breakLastRow?: 'type' | 'period';
}

/** Writes a citizens Parquet file of `rows` generated rows, as validate would (plus the chosen breakage). */
export async function writeCitizensParquet(file: string, spec: PeriodRows): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const last = `i = ${spec.rows}`;
  const income = `(i * 1.5 + ${spec.seed})::DOUBLE`;
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    await conn.run(`COPY (
      SELECT i::BIGINT AS citizen_id,
             'name_' || (i + ${spec.seed}) AS first_name,
             DATE '1950-01-01' + (i % 20000)::INT AS birth_date,
             ${spec.breakLastRow === 'type' ? `CASE WHEN ${last} THEN 'not a number' ELSE ${income}::VARCHAR END` : income} AS income,
             ${spec.breakLastRow === 'period' ? `CASE WHEN ${last} THEN '1999-12' ELSE ${sqlLiteral(spec.period)} END` : sqlLiteral(spec.period)} AS _data_period
        FROM range(1, ${spec.rows + 1}) t(i)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
    conn.close();
  } finally {
    engine.close();
  }
  return file;
}

const ROWS_SQL = (from: string, where: string) =>
  `SELECT citizen_id, first_name, CAST(birth_date AS VARCHAR) AS birth_date, income FROM ${from} ${where} ORDER BY citizen_id`;

export interface Fingerprint {
  readonly rows: number;
  readonly sha256: string;
}

function fingerprint(rows: readonly Record<string, unknown>[]): Fingerprint {
  const hash = createHash('sha256');
  for (const r of rows) hash.update(JSON.stringify([Number(r['citizen_id']), r['first_name'], r['birth_date'], Number(r['income'])]) + '\n');
  return { rows: rows.length, sha256: hash.digest('hex') };
}

/** Count and checksum of one period of a stage table, the same on DuckDB and PostgreSQL. */
export async function stagePeriodFingerprint(db: StageDatabase, table: string, period: string): Promise<Fingerprint> {
  return fingerprint(await db.query(ROWS_SQL(`stage."${table}"`, 'WHERE "_data_period" = $1'), [period]));
}

/** Count and checksum of the rows of a Parquet file, computed the same way. */
export async function parquetFingerprint(file: string): Promise<Fingerprint> {
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const rows = await conn.all(ROWS_SQL(`read_parquet(${sqlLiteral(file)})`, ''));
    conn.close();
    return fingerprint(rows);
  } finally {
    engine.close();
  }
}

/** Every row of a stage table, period by period: to prove nothing changed. */
export async function wholeStageFingerprint(db: StageDatabase, table: string): Promise<Fingerprint> {
  return fingerprint(await db.query(`SELECT citizen_id, first_name, CAST(birth_date AS VARCHAR) AS birth_date, income FROM stage."${table}" ORDER BY "_data_period", citizen_id`));
}

export function writeCsv(file: string, lines: readonly string[]): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export type XlsxShape = 'good' | 'merged' | 'formula' | 'empty';

/** An .xlsx workbook of two citizens, in the chosen shape (merged cells, a formula, an empty first sheet). */
export async function writeCitizensXlsx(file: string, shape: XlsxShape): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('citizens');
  if (shape !== 'empty') {
    sheet.addRow([...CITIZEN_HEADERS]);
    sheet.addRow([1, 'Ana', new Date(Date.UTC(1988, 3, 12)), 2150.5]);
    sheet.addRow([2, 'Bruno', new Date(Date.UTC(1975, 10, 30)), 3100]);
    if (shape === 'merged') sheet.mergeCells('B2:C2');
    if (shape === 'formula') sheet.getCell('D3').value = { formula: 'D2*2', result: 4301 };
  }
  await workbook.xlsx.writeFile(file);
  return file;
}

/** A table with one column of every type strata loads. */
export const everyTypeTable = (name: string): StageTable => ({
  dataset: name,
  name,
  columns: [
    { name: 'n', type: 'int' },
    { name: 'i', type: 'int' },
    { name: 'f', type: 'float' },
    { name: 's', type: 'str' },
    { name: 'd', type: 'date' },
    { name: 'b', type: 'bool' },
  ],
});

/**
 * Rows that an encoder gets wrong first: NULL in every column, int64's ends and past 2^53, -0, NaN and the
 * infinities, strings of 0, 12 (inline in DuckDB) and 13 bytes, multi-byte UTF-8 and a 10,000-byte one, dates
 * before 1970 and 2000, in year 44 and at +-infinity.
 */
export const EVERY_TYPE_ROWS_SQL = `
  SELECT * FROM (VALUES
    (1, 42, 1.5, 'plain', DATE '2024-01-15', true),
    (2, NULL, NULL, NULL, NULL, NULL),
    (3, -9223372036854775808, -0.0, '', DATE '1999-12-31', false),
    (4, 9223372036854775807, 'NaN'::DOUBLE, 'abcdefghijkl', DATE '2000-01-01', true),
    (5, 9007199254740993, 'Infinity'::DOUBLE, 'abcdefghijklm', DATE '1970-01-01', false),
    (6, -1, '-Infinity'::DOUBLE, 'Valparaíso ✓ 日本語', DATE '0044-03-15', NULL),
    (7, 0, 1e-300, repeat('x', 10000), 'infinity'::DATE, true),
    (8, 123456789012, 1.7976931348623157e308, 'quote " comma , newline 
 tab 	', '-infinity'::DATE, false)
  ) t(n, i, f, s, d, b)`;

/** Every column as text (floats as numbers), ordered by n: the same rendering on both databases. */
export const everyTypeRowsSql = (from: string) =>
  `SELECT CAST(n AS TEXT) AS n, CAST(i AS TEXT) AS i, f, s, CAST(d AS TEXT) AS d, CAST(b AS TEXT) AS b FROM ${from} ORDER BY n`;
