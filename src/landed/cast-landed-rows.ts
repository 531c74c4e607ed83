// Casting every record of a landed file to its dataset's types in DuckDB, a column at a time; the few rejected rows
// are then explained by cast-cells.ts, the one place that says why a cell is wrong.
import type { EngineConnection } from '../engine/duckdb.js';
import { StrataError } from '../errors.js';
import { NO_WORDS, YES_WORDS } from '../parse/cell-words.js';
import { quoteIdentifier, sqlIdentifier, sqlLiteral } from '../sql/quote.js';
import { rowCaster, type RowIssue } from './cast-cells.js';
import type { ColumnType, DatasetRule } from './dataset-rules.js';
import { cellColumn, type LandedRecords, type LandedSource } from './landed-table.js';

/** The rows kept, one typed column per declared column, in file order: what the cleaned Parquet is written from. */
export const CLEANED_VIEW = 'cleaned';

export type CastRows =
  | {
      readonly ok: true;
      /** Rows below the header. */
      readonly rowsRead: number;
      readonly rowsRejected: number;
      /** Every problem of every rejected row, by row then column, as cast-cells.ts words it. */
      readonly issues: readonly RowIssue[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator), for DuckDB's trim(s, chars),
 * which removes only spaces when told nothing: a cell is trimmed exactly as cast-cells.ts trims it.
 */
const JS_WHITESPACE = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code))
  .filter((ch) => ch.trim() === '')
  .join('');

const escapeRegex = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const words = (set: ReadonlySet<string>) => [...set].map(sqlLiteral).join(', ');

/**
 * cast-cells.ts's rules in SQL. `plain` is the shape of a well-formed cell (RE2, as DuckDB's regexp functions are):
 * a cell of that shape needs no trimming, so the costly trim runs only on the rare cell that fails it. DuckDB's own
 * casts are looser (1_000, 1.0 and ' 5' are numbers to it), so a cell must have the shape and cast.
 */
const RULES: Readonly<Record<Exclude<ColumnType, 'str'>, { readonly plain: string; readonly cast: (t: string) => string; readonly ok: (v: string, t: string) => string }>> = {
  int: { plain: '[+-]?[0-9]+', cast: (t) => `TRY_CAST(${t} AS BIGINT)`, ok: (v) => `${v} IS NOT NULL` },
  // + 0.0 makes -0 zero, as String(-0) does in cast-cells.ts; a zero is kept only when the text is one, as
  // isOutOfDoubleRange in cell-words.ts says (1e-400 is no zero).
  float: {
    plain: '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?',
    cast: (t) => `(TRY_CAST(${t} AS DOUBLE) + 0.0)`,
    ok: (v, t) => `CASE WHEN ${v} = 0 THEN NOT regexp_matches(${t}, '^[+-]?0*\\.?0*[1-9]') ELSE coalesce(isfinite(${v}), false) END`,
  },
  date: { plain: '[0-9]{4}-[0-9]{2}-[0-9]{2}', cast: (t) => `TRY_CAST(${t} AS DATE)`, ok: (v) => `${v} IS NOT NULL` },
  bool: {
    plain: `(?i:${[...YES_WORDS, ...NO_WORDS].map(escapeRegex).join('|')})`,
    cast: (t) => `CASE WHEN lower(${t}) IN (${words(YES_WORDS)}) THEN true WHEN lower(${t}) IN (${words(NO_WORDS)}) THEN false END`,
    // Not the shape alone: RE2's (?i) folds the long s (ſ) into s, so `yeſ` has the shape and is no word.
    ok: (v) => `${v} IS NOT NULL`,
  },
};

interface Planned {
  readonly name: string;
  readonly type: ColumnType;
  readonly keyed: boolean;
  /** The header's cell index, or -1 when the file lacks the column. */
  readonly cell: number;
  /** The column's names at each step (quoted): its text, trimmed, cast, well-formed. */
  readonly raw: string;
  readonly t: string;
  readonly v: string;
  readonly w: string;
}

/** A rejected row's cells as text, in plan order. */
const REJECTED_CELLS = 'rejected_cells';

/**
 * Casts the records into `typed` and the view `cleaned` (the rows kept), and returns the rejected rows' issues. A row
 * is rejected when a cell does not read as its type, a key cell is empty, it has more cells than the header, or it
 * repeats the primary key of an earlier kept row: the same rows, for the same reasons, as cast-cells.ts finds alone.
 */
export async function castLandedRows(conn: EngineConnection, dataset: DatasetRule, headers: readonly string[], source: LandedSource): Promise<CastRows> {
  const plan: Planned[] = dataset.columns.map((column, i) => ({
    name: column.name,
    type: column.type,
    keyed: dataset.primaryKey.includes(column.name),
    cell: headers.indexOf(column.name),
    raw: sqlIdentifier(`raw${i}`),
    t: sqlIdentifier(`t${i}`),
    v: sqlIdentifier(`v${i}`),
    w: sqlIdentifier(`w${i}`),
  }));
  const createTyped = (relation: string) => conn.run(`CREATE OR REPLACE TEMP TABLE typed AS ${typedSql(plan, relation)}`);
  const typing = createTyped(source.guess).then(
    () => null,
    (error: unknown) => ({ error }),
  );
  const landed = await source.records;
  const failed = await typing;
  if (!landed.ok) return landed;
  if (landed.relation !== source.guess) await createTyped(landed.relation);
  else if (failed !== null) throw failed.error;
  const [counted] = await conn.all<{ n: number }>('SELECT count(*) AS n FROM typed');
  if (counted?.n !== landed.rows + 1) {
    // Both readers follow RFC 4180 on a file the scan let through; a difference is a flaw in strata, said as one.
    throw new StrataError('internal', `DuckDB read ${(counted?.n ?? 1) - 1} rows where strata's scan found ${landed.rows}`);
  }
  // A row left out for its length or its key is marked in place: a filter keeps the file's order in the cleaned
  // Parquet, and a join (NOT IN) would not.
  if (landed.longRecords.size > 0) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE long_records (i BIGINT)`);
    await conn.appendJsRows('long_records', [...landed.longRecords.keys()].map((i) => [i]));
    await conn.run('UPDATE typed SET ok = false WHERE rowid IN (SELECT i FROM long_records)');
  }
  await conn.run(`CREATE OR REPLACE TEMP VIEW verdict AS SELECT rowid AS i, * FROM typed WHERE rowid > 0`);
  const keys = plan.filter((p) => p.keyed).map((p) => p.v);
  await conn.run(`CREATE OR REPLACE TEMP TABLE repeats AS ${keys.length === 0 ? 'SELECT NULL::BIGINT AS i, NULL::BIGINT AS first WHERE false' : repeatsSql(keys)}`);
  if (keys.length > 0) await conn.run('UPDATE typed SET ok = false WHERE rowid IN (SELECT i FROM repeats)');
  await conn.run(`CREATE OR REPLACE TEMP VIEW ${CLEANED_VIEW} AS
    SELECT ${plan.map((p) => `${p.v} AS ${quoteIdentifier(p.name)}`).join(', ')} FROM verdict WHERE ok`);
  return { ok: true, rowsRead: landed.rows, ...(await explainRejects(conn, dataset, headers, plan, landed)) };
}

/** Joins a row's typed cells for one regular expression over the row: a cell never holds it in a plain row. */
const UNIT_SEPARATOR = '\x1f';

/**
 * A column's steps, each a SELECT over the one before: is the cell plain (one regular expression over the row's
 * typed cells: most rows are, and one match a row costs less than one a cell); trimmed if not; cast; does it pass.
 * The costly checks sit in later WHEN branches, which DuckDB evaluates only for the rows that reach them (it
 * evaluates both sides of an OR).
 */
function typedSql(plan: readonly Planned[], relation: string): string {
  const typedOnly = plan.filter((p) => p.type !== 'str');
  const rule = (p: Planned) => RULES[p.type as Exclude<ColumnType, 'str'>];
  const names = (pick: (p: Planned) => string, from = plan) => from.map(pick);
  const rowShape = typedOnly.map((p) => `(?:${rule(p).plain})?`).join(UNIT_SEPARATOR);
  const rowText = `concat(${typedOnly.map((p) => `coalesce(${p.raw}, '')`).join(`, chr(31), `)})`;
  const checks = plan.flatMap((p) => {
    const blank = `coalesce(${p.t}, '') = ''`;
    const passes = p.type === 'str' ? 'true' : `(${p.w} AND ${rule(p).ok(p.v, p.t)})`;
    if (p.keyed) return [`(NOT ${blank} AND ${passes})`];
    return p.type === 'str' ? [] : [`(${blank} OR ${passes})`];
  });
  const steps: string[][] = [
    [
      ...plan.map((p) => `${p.cell < 0 ? 'CAST(NULL AS VARCHAR)' : cellColumn(p.cell)} AS ${p.raw}`),
      `${typedOnly.length === 0 ? 'true' : `regexp_full_match(${rowText}, ${sqlLiteral(rowShape)})`} AS plain_row`,
    ],
    [
      ...names((p) => p.raw),
      'plain_row',
      ...plan.map((p) =>
        p.type === 'str'
          ? `${p.raw} AS ${p.t}`
          : `CASE WHEN plain_row THEN ${p.raw} WHEN regexp_full_match(${p.raw}, ${sqlLiteral(rule(p).plain)}) THEN ${p.raw} ELSE trim(${p.raw}, ${sqlLiteral(JS_WHITESPACE)}) END AS ${p.t}`,
      ),
    ],
    [
      ...names((p) => p.raw),
      ...names((p) => p.t),
      ...plan.map((p) => (p.type === 'str' ? `nullif(${p.t}, '') AS ${p.v}` : `${rule(p).cast(p.t)} AS ${p.v}`)),
      ...typedOnly.map((p) => `CASE WHEN plain_row THEN true ELSE coalesce(regexp_full_match(${p.t}, ${sqlLiteral(rule(p).plain)}), false) END AS ${p.w}`),
    ],
    [...names((p) => p.raw), ...names((p) => p.v), `${checks.join(' AND ') || 'true'} AS ok`],
    // A rejected row keeps its cells as text for cast-cells.ts to explain, in one list (a column per cell would hold
    // a NULL for each of the many rows kept); a key cell is kept always (for repeats).
    [...names((p) => p.v), 'ok', ...names((p) => p.raw, plan.filter((p) => p.keyed)), `CASE WHEN NOT ok THEN [${names((p) => p.raw).join(', ')}] END AS ${REJECTED_CELLS}`],
  ];
  return steps.reduce((inner, step) => `SELECT ${step.join(', ')} FROM (${inner})`, `SELECT * FROM ${relation}`);
}

/** Each kept row that repeats the key of an earlier kept row (`i`), with that row (`first`). */
function repeatsSql(keys: readonly string[]): string {
  const list = keys.join(', ');
  return `WITH firsts AS (SELECT ${list}, min(i) AS first FROM verdict WHERE ok GROUP BY ALL HAVING count(*) > 1)
    SELECT verdict.i, firsts.first FROM verdict JOIN firsts USING (${list}) WHERE verdict.ok AND verdict.i > firsts.first`;
}

/**
 * The rejected rows, with the first rows whose keys they repeat, go through cast-cells.ts in file order, which words
 * every issue. A repeat and its first row are given their key cells only: every other cell may be empty. A rejected
 * row that cast-cells.ts finds nothing wrong with means the SQL above and cast-cells.ts disagree: the file is refused
 * rather than a row lost without a reason.
 */
async function explainRejects(
  conn: EngineConnection,
  dataset: DatasetRule,
  headers: readonly string[],
  plan: readonly Planned[],
  landed: LandedRecords,
): Promise<{ rowsRejected: number; issues: RowIssue[] }> {
  const keyCells = plan.map((p) => (p.keyed ? p.raw : 'NULL'));
  const rows = await conn.all<{ i: number; rejected: boolean; cells: (string | null)[] }>(`
    WITH wanted AS (
      SELECT i, true AS rejected FROM verdict WHERE NOT ok
      UNION ALL SELECT DISTINCT first, false FROM repeats)
    SELECT i, wanted.rejected, coalesce(${REJECTED_CELLS}, [${keyCells.join(', ')}]) AS cells FROM verdict JOIN wanted USING (i) ORDER BY i`);
  const byCell = headers.map((_, k) => plan.findIndex((p) => p.cell === k));
  const cast = rowCaster(dataset, headers);
  const issues: RowIssue[] = [];
  let rowsRejected = 0;
  for (const record of rows) {
    const row = landed.rowOf(record.i);
    const cells = byCell.map((index) => record.cells[index] ?? '');
    // DuckDB kept a long record's first cells only; cast-cells.ts needs only how many there were.
    const count = landed.longRecords.get(record.i);
    if (count !== undefined) cells.push(...Array.from({ length: count - cells.length }, () => ''));
    const result = cast(row, cells);
    if (result.ok === record.rejected) {
      throw new StrataError('internal', `row ${row} was ${record.rejected ? 'rejected' : 'kept'} by DuckDB's cast but not by strata's own`, { row });
    }
    if (!result.ok) {
      rowsRejected += 1;
      issues.push(...result.issues);
    }
  }
  return { rowsRejected, issues };
}
