// The conditions a query puts on a table's partition columns (`date`, `run_id`), read from DuckDB's parse tree, as
// SQL that DuckDB can evaluate on the manifest's paths: how a procedure's view opens only the files a query reads.
import { sqlIdentifier, sqlLiteral } from '../engine/duckdb.js';

type Node = Readonly<Record<string, unknown>>;

const PARTITION_COLUMNS: ReadonlySet<string> = new Set(['date', 'run_id']);

/**
 * For each table reference (a BASE_TABLE node of the serialised tree) directly in a SELECT's FROM, the conjuncts of
 * that SELECT's WHERE that compare one of the reference's partition columns with constants, joined with AND.
 *
 * Such a condition is true of every row the SELECT keeps, and depends only on the file a row came from (its
 * partition path), so a file for which it is false contributes no row: the view may leave that file out. Only
 * comparisons with constants are taken (=, <>, <, <=, >, >=, IN, NOT IN, BETWEEN): each rejects NULL, so an outer
 * join's missing side is filtered alike. Nothing is taken through a sample, a positional or ASOF join, renamed
 * columns, or the right side of a SEMI or ANTI join, where fewer rows in could mean other rows out.
 */
export function partitionFilters(statements: unknown): WeakMap<object, string> {
  const filters = new WeakMap<object, string>();
  walk(statements, (node) => {
    if (node['type'] !== 'SELECT_NODE' || node['sample'] != null) return;
    const refs: Node[] = [];
    collectReferences(node['from_table'], refs);
    const conjuncts = flattenAnd(node['where_clause']);
    for (const ref of refs) {
      const binding = String(ref['alias'] || ref['table_name']).toLowerCase();
      const terms = conjuncts.map((c) => partitionCondition(c, binding)).filter((t): t is string => t !== null);
      if (terms.length > 0) filters.set(ref, terms.map((t) => `(${t})`).join(' AND '));
    }
  });
  return filters;
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  visit(node as Node);
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') walk(value, visit);
}

/** The tables whose columns a SELECT's WHERE sees directly: through joins, not into subqueries. */
function collectReferences(from: unknown, refs: Node[]): void {
  if (from === null || typeof from !== 'object') return;
  const node = from as Node;
  if (node['type'] === 'BASE_TABLE') {
    const renamed = Array.isArray(node['column_name_alias']) && node['column_name_alias'].length > 0;
    if (node['sample'] == null && !renamed) refs.push(node);
    return;
  }
  if (node['type'] !== 'JOIN' || node['sample'] != null) return;
  if (!['REGULAR', 'CROSS', 'NATURAL'].includes(String(node['ref_type']))) return;
  const type = String(node['join_type']);
  if (!['INNER', 'LEFT', 'RIGHT', 'OUTER', 'FULL', 'SEMI', 'ANTI'].includes(type)) return;
  collectReferences(node['left'], refs);
  if (type !== 'SEMI' && type !== 'ANTI') collectReferences(node['right'], refs);
}

function flattenAnd(expression: unknown): Node[] {
  if (expression === null || typeof expression !== 'object') return [];
  const node = expression as Node;
  if (node['type'] === 'CONJUNCTION_AND' && Array.isArray(node['children'])) return node['children'].flatMap(flattenAnd);
  return [node];
}

const COMPARISONS: Readonly<Record<string, string>> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};

/** The condition as SQL over `"date"` and `"run_id"` when it is one this module takes, else null. */
function partitionCondition(node: Node, binding: string): string | null {
  const type = String(node['type']);
  const op = COMPARISONS[type];
  if (op !== undefined) {
    const left = column(node['left'], binding);
    const right = column(node['right'], binding);
    if (left !== null) return withConstants(`${left} ${op} `, [node['right']]);
    if (right !== null) return withConstants(`${right} ${flipped(op)} `, [node['left']]);
    return null;
  }
  if ((type === 'COMPARE_IN' || type === 'COMPARE_NOT_IN') && Array.isArray(node['children'])) {
    const [first, ...rest] = node['children'] as unknown[];
    const col = column(first, binding);
    if (col === null || rest.length === 0) return null;
    const values = rest.map(constant);
    if (values.some((v) => v === null)) return null;
    return `${col} ${type === 'COMPARE_IN' ? 'IN' : 'NOT IN'} (${values.join(', ')})`;
  }
  if (type === 'COMPARE_BETWEEN') {
    const col = column(node['input'], binding);
    const lower = constant(node['lower']);
    const upper = constant(node['upper']);
    return col === null || lower === null || upper === null ? null : `${col} BETWEEN ${lower} AND ${upper}`;
  }
  return null;
}

const flipped = (op: string) => ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' })[op] ?? op;

function withConstants(prefix: string, nodes: readonly unknown[]): string | null {
  const values = nodes.map(constant);
  return values.some((v) => v === null) ? null : `${prefix}${values.join(', ')}`;
}

/** `date`, `run_id`, or `<binding>.date`: the partition column as a quoted identifier, else null. */
function column(expression: unknown, binding: string): string | null {
  if (expression === null || typeof expression !== 'object') return null;
  const node = expression as Node;
  if (node['type'] !== 'COLUMN_REF' || !Array.isArray(node['column_names'])) return null;
  const names = (node['column_names'] as unknown[]).map((n) => String(n).toLowerCase());
  const name = names[names.length - 1]!;
  if (!PARTITION_COLUMNS.has(name)) return null;
  if (names.length === 1 || (names.length === 2 && names[0] === binding)) return sqlIdentifier(name);
  return null;
}

/** Types a constant may have here: those whose text DuckDB casts back to the same value. */
const CONSTANT_TYPES: ReadonlySet<string> = new Set(['VARCHAR', 'INTEGER', 'BIGINT', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']);

/** A literal (or a cast of one) as SQL, else null. */
function constant(expression: unknown): string | null {
  if (expression === null || typeof expression !== 'object') return null;
  const node = expression as Node;
  if (node['type'] === 'VALUE_CONSTANT') {
    const value = node['value'] as { type?: { id?: unknown; type_info?: unknown }; is_null?: unknown; value?: unknown } | undefined;
    const id = String(value?.type?.id);
    if (value?.is_null !== false || value.type?.type_info != null || !CONSTANT_TYPES.has(id)) return null;
    if (typeof value.value !== 'string' && typeof value.value !== 'number') return null;
    return id === 'VARCHAR' ? sqlLiteral(String(value.value)) : `CAST(${sqlLiteral(String(value.value))} AS ${id})`;
  }
  if (node['type'] === 'OPERATOR_CAST' && node['try_cast'] === false) {
    const target = node['cast_type'] as { id?: unknown; type_info?: unknown } | undefined;
    const inner = constant(node['child']);
    const id = String(target?.id);
    return inner === null || target?.type_info != null || !CONSTANT_TYPES.has(id) ? null : `CAST(${inner} AS ${id})`;
  }
  return null;
}
