// A procedure's view leaves out the files a query's partition filter rejects, and the answers never change for it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { queryLake } from '../../src/query/query-lake.js';
import { partitionFilters } from '../../src/query/partition-filter.js';
import { withConn } from '../support/with-duckdb.js';
import { smallLake, type SmallLake } from './small-lake.js';

/** The partition filter DuckDB's parse tree gives each table reference of `sql`, by table name (or alias). */
async function filtersOf(sql: string): Promise<Record<string, string | null>> {
  return withConn(async (conn) => {
    const [row] = await conn.all<{ tree: string }>('SELECT json_serialize_sql($sql::VARCHAR) AS tree', { sql });
    const tree = JSON.parse(row!.tree) as { statements: unknown };
    const filters = partitionFilters(tree.statements);
    const out: Record<string, string | null> = {};
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n['type'] === 'BASE_TABLE') out[String(n['alias'] || n['table_name'])] = filters.get(n) ?? null;
      Object.values(n).forEach(walk);
    };
    walk(tree.statements);
    return out;
  });
}

describe('the partition filter of a table reference', () => {
  it('takes comparisons of date and run_id with constants from the WHERE of the SELECT that reads the table', async () => {
    assert.deepEqual(await filtersOf(`SELECT * FROM It WHERE date = DATE '2025-10-14' AND i_a > 0`), { It: `("date" = CAST('2025-10-14' AS DATE))` });
    assert.deepEqual(await filtersOf(`SELECT * FROM It i WHERE '2025-10-01' <= i.date AND i.run_id IN ('a', 'b')`), {
      i: `("date" >= '2025-10-01') AND ("run_id" IN ('a', 'b'))`,
    });
    assert.deepEqual(await filtersOf(`SELECT * FROM runs r LEFT JOIN It USING (run_id) WHERE It.date BETWEEN '2025-01-01' AND '2025-02-01'`), {
      r: null,
      It: `("date" BETWEEN '2025-01-01' AND '2025-02-01')`,
    });
  });

  it('takes nothing that could let other rows through: OR, IS NULL, a column of another table, a function, a subquery', async () => {
    for (const sql of [
      `SELECT * FROM It WHERE date = DATE '2025-10-14' OR i_a > 0`,
      `SELECT * FROM runs r LEFT JOIN It i USING (run_id) WHERE i.date IS NULL`,
      `SELECT * FROM It a JOIN IVg b USING (run_id) WHERE b.date = DATE '2025-10-14'`,
      `SELECT * FROM It WHERE date + 1 = DATE '2025-10-14'`,
      `SELECT * FROM It WHERE date = current_date`,
      `SELECT * FROM (SELECT * FROM It) WHERE date = DATE '2025-10-14'`,
      `SELECT * FROM It POSITIONAL JOIN IVg WHERE It.date = DATE '2025-10-14'`,
      `SELECT * FROM IVg SEMI JOIN It USING (run_id) WHERE date = DATE '2025-10-14'`,
      `SELECT * FROM It USING SAMPLE 10 WHERE date = DATE '2025-10-14'`,
      `SELECT * FROM It t(a, b) WHERE date = DATE '2025-10-14'`,
    ]) {
      const filters = await filtersOf(sql);
      const other = sql.includes('JOIN IVg b') ? filters['a'] : sql.includes('SEMI') ? filters['It'] : (filters['It'] ?? filters['i'] ?? filters['t']);
      assert.equal(other ?? null, null, sql);
    }
  });
});

describe('queries over a pruned view', () => {
  let lake: SmallLake;
  let dates: string[];
  let runIds: string[];

  before(async () => {
    lake = await smallLake({ files: 36, days: 4 });
    const runs = await queryLake(lake, `SELECT date_local, run_id FROM runs WHERE proc = 'It' ORDER BY date_local, run_id`);
    dates = [...new Set(runs.rows.map((r) => String(r['date_local'])))];
    runIds = runs.rows.map((r) => String(r['run_id']));
    assert.ok(dates.length >= 3, `It runs on ${dates.length} dates`);
  });

  /** `sql` with {It} as the view, and with the procedure's files read by a glob, which no view prunes. */
  async function sameAsUnpruned(sql: string): Promise<void> {
    const glob = `read_parquet('${path.join(lake.stageRoot, 'proc=It', '*', '*', '*.parquet')}', hive_partitioning = true, hive_types = {'proc': VARCHAR, 'date': DATE, 'run_id': VARCHAR})`;
    const viewed = await queryLake(lake, sql.replaceAll('{It}', 'It').replaceAll('{src}', 'It'));
    const read = await queryLake(lake, sql.replaceAll('{It}', `${glob} AS It`).replaceAll('{src}', glob));
    assert.deepEqual(viewed.rows, read.rows, sql);
    assert.ok(viewed.views.includes('It'), sql);
  }

  it('answers exactly as the unpruned files do, whatever the filter', async () => {
    const [d0, d1, d2] = dates;
    for (const sql of [
      `SELECT count(*) AS n, count(DISTINCT run_id) AS runs, min(i_a) AS lo, max(i_a) AS hi FROM {It} WHERE date = DATE '${d1}'`,
      `SELECT count(*) AS n FROM {It} WHERE It.date = '${d0}'`,
      `SELECT run_id, count(*) AS n FROM {src} i WHERE i.date BETWEEN '${d0}' AND '${d1}' GROUP BY ALL ORDER BY ALL`,
      `SELECT count(*) AS n FROM {It} WHERE date IN ('${d0}', '${d2}') AND date <> '${d0}'`,
      `SELECT count(*) AS n FROM {It} WHERE date NOT IN ('${d1}')`,
      `SELECT count(*) AS n FROM {It} WHERE date > '${d1}'`,
      `SELECT count(*) AS n FROM {It} WHERE run_id = '${runIds[1]}'`,
      `SELECT count(*) AS n FROM {It} WHERE date = DATE '${d0}' OR date = DATE '${d2}'`,
      `SELECT count(*) AS n FROM {It} WHERE date = DATE '1999-01-01'`,
      `SELECT r.run_id, count(i.t_s) AS n FROM runs r LEFT JOIN {src} i ON r.run_id = i.run_id WHERE i.date = DATE '${d1}' GROUP BY ALL ORDER BY ALL`,
      `SELECT count(*) AS n FROM runs r LEFT JOIN {src} i ON r.run_id = i.run_id WHERE i.date IS NULL`,
      `SELECT r.chip_name, count(*) AS n FROM {It} JOIN runs r USING (run_id) WHERE run_id IN ('${runIds[0]}', '${runIds[2]}') GROUP BY ALL ORDER BY ALL`,
      `SELECT count(*) AS n FROM runs r WHERE EXISTS (SELECT 1 FROM {src} i WHERE i.run_id = r.run_id AND i.date = DATE '${d2}')`,
      `SELECT count(*) AS n FROM (SELECT * FROM {It}) WHERE date = DATE '${d1}'`,
    ]) {
      await sameAsUnpruned(sql);
    }
  });

  it('refuses a filter DuckDB cannot compare just as it would without the view', async () => {
    await assert.rejects(queryLake(lake, `SELECT count(*) FROM It WHERE date = 3`), /the query failed: (Binder|Conversion) Error/);
  });
});
