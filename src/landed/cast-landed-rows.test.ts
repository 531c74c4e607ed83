// DuckDB casts landed rows in bulk; cast-cells.ts is the rule. These tests hold the two to the same rows, values
// and reasons, on cells chosen to sit on every edge of the rule and on random ones, in every CSV layout.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { Engine, sqlLiteral } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { rowCaster, type RowIssue } from './cast-cells.js';
import { SQL_TYPES, parseDatasetRules, type DatasetRule } from './dataset-rules.js';
import type { LandedLog } from './landed-log.js';
import { readLandedFile } from './read-landed-file.js';
import { validateFiles } from './validate-file.js';

const COLUMNS = { id: 'int', n: 'int', x: 'float', d: 'date', b: 'bool', s: 'str' } as const;
const HEADERS = Object.keys(COLUMNS);

/** Values on the edges of cast-cells.ts's rules, for every type: spaces of every kind, signs, ranges, spellings. */
const EDGES: Readonly<Record<string, readonly string[]>> = {
  int: ['7', ' 7 ', '007', '+7', '-0', '-7', '1.0', '1_000', '1e3', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '١٢', '１２', '0x1A', '\u00a012\u3000', '\ufeff3', '', ' '],
  float: ['1.5', '.5', '5.', '-0', '+1.5', '1e5', '1E+5', '1e400', '1e-400', '-1e-400', 'Infinity', 'NaN', 'nan', '0x1A', '0b11', '1_0', '1,5', '2.2250738585072011e-308', '4.35', '0.1', '123456789012345678901234567890', '\t2.5\n', '0e5', '0.000', '-0.0e-10', '.0', '0.', '00.001e-400', '1e-324', '4e-324', ''],
  date: ['2024-02-29', '2023-02-29', '0000-01-01', '9999-12-31', '2024-1-01', ' 2024-01-01 ', '2024-01-01T00:00', '20240101', '2024/01/01', '2024-13-01', '\u20282024-01-01', ''],
  bool: ['yes', 'YES', ' on ', 'On', 'TRUE', 'false', 'no', 'off', '1', '0', '2', 'y', 't', 'n', 'ja', 'İ', '\u00a0no', 'yeſ', 'faLſe', 'Ｙes', 'o\u212A', ''],
  str: ['x', ' x ', ' ', '', 'a,b', 'say "hi"', 'two\nlines', 'é', '\u0000', '\ufeff'],
};
const GOOD: Readonly<Record<string, readonly string[]>> = {
  int: ['1', '42', ' 3 ', '-5', ''],
  float: ['1.5', '2', '-0.25', '1e-3', ''],
  date: ['2024-01-31', '2000-02-29', ''],
  bool: ['yes', '0', 'False', ''],
  str: ['Ana', 'b c', ''],
};
const ALPHABET = ['0', '1', '7', '9', '.', '-', '+', 'e', 'E', ' ', '\u00a0', 'x', 'a', 'n', 'o', 'y', 's', 't', 'r', 'u', ',', '"', '\n', '2', '/', ':'];

/** A small deterministic generator (mulberry32), so that a failure can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rows(seed: number, count: number): string[][] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const noise = () => Array.from({ length: Math.floor(next() * 5) }, () => pick(ALPHABET)).join('');
  const cell = (type: string) => {
    const dice = next();
    return dice < 0.85 ? pick(GOOD[type]!) : dice < 0.95 ? pick(EDGES[type]!) : noise();
  };
  return Array.from({ length: count }, () => {
    // A few repeated keys (7, 007, +7 and ' 7 ' are one key), some rows short, some long.
    const row = [next() < 0.3 ? pick(['7', '007', ' 8', '8', '+7']) : String(Math.floor(next() * 1e6)), ...HEADERS.slice(1).map((h) => cell(COLUMNS[h as keyof typeof COLUMNS]))];
    const shape = next();
    return shape < 0.03 ? row.slice(0, 1 + Math.floor(next() * 5)) : shape < 0.06 ? [...row, noise()] : row;
  });
}

function rules(dir: string): DatasetRule {
  const yaml = { datasets: { mix: { file_pattern: '^mix_(?<period>\\d{4}-\\d{2})\\.(csv|xlsx)$', table: 'mix', required_headers: ['id'], columns: COLUMNS, primary_key: ['id'] } } };
  return parseDatasetRules(yaml, path.join(dir, 'datasets.yml')).datasets[0]!;
}

/** What validate wrote before DuckDB cast the rows: csv-parse's rows through cast-cells.ts, one at a time. */
async function castOneByOne(file: string, dataset: DatasetRule): Promise<{ issues: RowIssue[]; kept: (string | null)[][] }> {
  const read = await readLandedFile(file);
  if (!read.ok) throw new Error(read.reason);
  const cast = rowCaster(dataset, read.table.headers);
  const issues: RowIssue[] = [];
  const kept: (string | null)[][] = [];
  for await (const { row, cells } of read.table.rows) {
    const result = cast(row, cells);
    if (result.ok) kept.push(result.cells);
    else issues.push(...result.issues);
  }
  return { issues, kept };
}

/** The kept rows as DuckDB prints them: the reference's canonical text cast as the old COPY cast it, and the Parquet. */
async function printed(kept: (string | null)[][], parquet: string, dataset: DatasetRule): Promise<{ expected: unknown[]; actual: unknown[] }> {
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const names = dataset.columns.map((c) => `"${c.name}"`);
    await conn.run(`CREATE TABLE ref (i BIGINT, ${names.map((n) => `${n} VARCHAR`).join(', ')})`);
    await conn.appendJsRows('ref', kept.map((cells, i) => [i, ...cells]));
    const casts = dataset.columns.map((c) => `CAST(CAST("${c.name}" AS ${SQL_TYPES[c.type]}) AS VARCHAR)`).join(', ');
    const expected = (await conn.all(`SELECT ${casts} FROM ref ORDER BY i`)).map(Object.values);
    const actual = (await conn.all(`SELECT ${names.map((n) => `CAST(${n} AS VARCHAR)`).join(', ')} FROM read_parquet(${sqlLiteral(parquet)})`)).map(Object.values);
    conn.close();
    return { expected, actual };
  } finally {
    engine.close();
  }
}

function csvText(lines: readonly (readonly string[])[], newLine: string): string {
  // A line break inside a cell is quoted: a bare one in an unquoted cell is a file of mixed line endings, refused.
  const delimiter = newLine === '\r\n' ? 'windows' : newLine === '\r' ? 'mac' : 'unix';
  return stringify([HEADERS, ...lines], { record_delimiter: delimiter, quoted_match: /[\r\n]/ });
}

async function bothWays(text: string) {
  return bothWaysOn('csv', (file) => writeFileSync(file, text));
}

async function bothWaysOn(extension: 'csv' | 'xlsx', write: (file: string) => Promise<void> | void) {
  const dir = tempDir();
  const dataset = rules(dir);
  const file = path.join(dir, 'landed', `mix_2024-01.${extension}`);
  mkdirSync(path.dirname(file), { recursive: true });
  await write(file);
  const reference = await castOneByOne(file, dataset);
  const log: LandedLog = { logIngestion: async () => {}, logValidation: async () => {} };
  const [outcome] = await validateFiles([file], { rules: { file: path.join(dir, 'datasets.yml'), datasets: [dataset] }, dataRoot: dir, log });
  assert.equal(outcome?.status, 'ok', outcome?.reason ?? 'refused');
  const rejects = readFileSync(path.join(dir, 'stage', 'rejects', 'mix', '2024-01.csv'), 'utf8');
  const expectedRejects = stringify(reference.issues.map((i) => [i.row, i.column, i.value, i.reason]), { header: true, columns: ['row', 'column', 'value', 'reason'] });
  assert.equal(rejects, expectedRejects);
  assert.equal(outcome?.rowsOk, reference.kept.length);
  const { expected, actual } = await printed(reference.kept, outcome!.parquet!, dataset);
  assert.deepEqual(actual, expected);
  return { rejected: outcome!.rowsRejected, kept: reference.kept.length };
}

describe('casting landed rows in DuckDB', () => {
  it('rejects the rows cast-cells.ts rejects, for the same reasons, and keeps the same values in file order, on edge cells', async () => {
    const lines = Object.entries(EDGES).flatMap(([type, values]) =>
      values.map((value, i) => HEADERS.map((h, k) => (k === 0 ? String(1000 + i + type.length * 100) : COLUMNS[h as keyof typeof COLUMNS] === type ? value : ''))),
    );
    const { rejected, kept } = await bothWays(csvText(lines, '\n'));
    assert.ok(rejected > 20 && kept > 20, `${rejected} rejected, ${kept} kept`);
  });

  it('numbers rows as csv-parse did: empty lines are no rows, a quoted line break stays in its row, a BOM is no cell', async () => {
    const text = '\ufeffid,n,x,d,b,s\n\n1,2,3,2024-01-01,yes,"two\nlines"\n\n\n2,x,3,,,\n"3",4,"5",2024-02-30,,"a ""quoted"" word"\n,,,,,\n4,1,2\n5,1,2,2024-01-01,no,s,extra\n1,1,1,,,\n';
    const { rejected, kept } = await bothWays(text);
    assert.deepEqual([rejected, kept], [5, 2]);
  });

  it('numbers the rows of an .xlsx sheet as the sheet does (an empty row is skipped, not renumbered), with the same rejects', async () => {
    const { rejected, kept } = await bothWaysOn('xlsx', async (file) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('data');
      sheet.getRow(1).values = HEADERS;
      sheet.getRow(2).values = ['1', ' 2', '1.5', '2024-01-31', 'yes', 'a'];
      sheet.getRow(4).values = ['2', 'x', '', '2024-02-30', 'maybe', 'b'];
      sheet.getRow(5).values = ['001', '3', '', '', '', 'c', 'extra'];
      sheet.getRow(6).values = ['+1', '4'];
      await book.xlsx.writeFile(file);
    });
    assert.deepEqual([rejected, kept], [3, 1]);
  });

  for (const [seed, newLine] of [[1, '\n'], [2, '\r\n'], [3, '\r']] as const) {
    it(`agrees with cast-cells.ts on 3,000 random rows, repeated keys, short and long rows (seed ${seed}, ${JSON.stringify(newLine)} line ends)`, async () => {
      const { rejected, kept } = await bothWays(csvText(rows(seed, 3000), newLine));
      assert.ok(rejected > 300 && kept > 300, `${rejected} rejected, ${kept} kept`);
    });
  }
});
