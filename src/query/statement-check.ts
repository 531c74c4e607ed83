// What a statement given to `strata query` is, by DuckDB's own parser: one query or a refusal, and the tables it names.
import type { EngineConnection } from '../engine/duckdb.js';
import { partitionFilters } from './partition-filter.js';

/** A table a statement reads by name (`It`, `main.runs`), as written. */
export interface NamedTable {
  readonly schema: string;
  readonly name: string;
  /** What every row read through this reference satisfies, as SQL over `date` and `run_id` (partition-filter.ts). */
  readonly partitionFilter: string | null;
}

export type StatementCheck =
  | {
      readonly kind: 'query';
      readonly tables: readonly NamedTable[];
      /** It lists the catalog (SHOW TABLES, DESCRIBE with no table, duckdb_views()...), so every view should exist. */
      readonly listsCatalog: boolean;
    }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Table functions a query may call: they read (the lake's files, under DuckDB's file access settings) or list.
 * Any other is refused: DuckDB 1.5 lets `enable_logging()` and `enable_profiling()` change settings despite
 * lock_configuration (and write where a file path is allowed), and `query()` runs SQL text this check cannot see.
 */
const READING_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'read_parquet', 'parquet_scan', 'parquet_metadata', 'parquet_schema', 'parquet_file_metadata', 'parquet_kv_metadata',
  'parquet_full_metadata', 'parquet_bloom_probe', 'read_csv', 'read_csv_auto', 'sniff_csv', 'read_json', 'read_json_auto',
  'read_json_objects', 'read_json_objects_auto', 'read_ndjson', 'read_ndjson_auto', 'read_ndjson_objects',
  'read_ndjson_objects_auto', 'read_text', 'read_blob', 'glob', 'range', 'generate_series', 'unnest', 'repeat',
  'repeat_row', 'json_each', 'json_tree', 'summary', 'histogram', 'histogram_values', 'duckdb_columns',
  'duckdb_constraints', 'duckdb_databases', 'duckdb_dependencies', 'duckdb_functions', 'duckdb_indexes',
  'duckdb_keywords', 'duckdb_schemas', 'duckdb_sequences', 'duckdb_settings', 'duckdb_tables', 'duckdb_types',
  'duckdb_variables', 'duckdb_views', 'duckdb_memory', 'duckdb_optimizers', 'duckdb_extensions', 'pragma_table_info',
  'pragma_show', 'pragma_version', 'pragma_platform', 'pragma_database_size', 'pragma_storage_info',
  'pragma_collations', 'pragma_user_agent', 'icu_calendar_names', 'pg_timezone_names',
]);

/** Table functions that list the catalog: a statement calling one sees every view. */
const CATALOG_FUNCTIONS: ReadonlySet<string> = new Set(['duckdb_tables', 'duckdb_views', 'duckdb_columns', 'pragma_show']);
const CATALOG_SCHEMAS: ReadonlySet<string> = new Set(['information_schema', 'pg_catalog']);

interface SerializedSql {
  readonly error: boolean;
  readonly error_message?: string;
  readonly statements?: readonly unknown[];
}

/**
 * Checks `sql` before anything runs: exactly one statement, a query (DuckDB serialises only SELECT statements,
 * DESCRIBE, SUMMARIZE, SHOW and PIVOT included), calling only reading table functions. A parse error throws
 * DuckDB's own message.
 */
export async function checkStatement(conn: EngineConnection, sql: string): Promise<StatementCheck> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count === 0) return { kind: 'refused', reason: 'there is no SQL statement to run' };
  if (extracted.count > 1) {
    return { kind: 'refused', reason: `strata query runs one statement, and this SQL holds ${extracted.count}: run them one at a time` };
  }
  const [row] = await conn.all<{ tree: string }>('SELECT json_serialize_sql($sql::VARCHAR) AS tree', { sql });
  const tree = JSON.parse(row?.tree ?? '{"error":true}') as SerializedSql;
  // Not prepared to name its kind: planning some statements already acts (EXPORT DATABASE makes its folder).
  if (tree.error) return { kind: 'refused', reason: `${ONE_QUERY}; DuckDB does not parse this statement as a query` };
  const found = { tables: [] as NamedTable[], functions: new Set<string>(), listsCatalog: false, filters: partitionFilters(tree.statements) };
  visit(tree.statements, found);
  const refused = [...found.functions].filter((f) => !READING_TABLE_FUNCTIONS.has(f));
  if (refused.length > 0) {
    return {
      kind: 'refused',
      reason:
        `strata query reads the lake and changes nothing, so it does not call ${refused.map((f) => `${f}()`).join(', ')}: ` +
        'only table functions that read or list (read_parquet, read_csv, range, unnest, duckdb_tables...)',
    };
  }
  return { kind: 'query', tables: found.tables, listsCatalog: found.listsCatalog || [...found.functions].some((f) => CATALOG_FUNCTIONS.has(f)) };
}

export const ONE_QUERY = 'strata query runs one query (SELECT, WITH, FROM, DESCRIBE, SUMMARIZE, SHOW) and writes nothing';

export const firstLine = (message: string) => message.split('\n')[0]!.trim();

type Found = { tables: NamedTable[]; functions: Set<string>; listsCatalog: boolean; readonly filters: WeakMap<object, string> };

/** Walks DuckDB's serialised parse tree for table references, table function calls and catalog listings. */
function visit(node: unknown, found: Found): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (n['type'] === 'BASE_TABLE' && typeof n['table_name'] === 'string') {
    const schema = typeof n['schema_name'] === 'string' ? n['schema_name'] : '';
    if (CATALOG_SCHEMAS.has(schema.toLowerCase())) found.listsCatalog = true;
    else found.tables.push({ schema, name: n['table_name'], partitionFilter: found.filters.get(n) ?? null });
  }
  if (n['type'] === 'TABLE_FUNCTION') {
    const fn = n['function'] as Record<string, unknown> | undefined;
    if (typeof fn?.['function_name'] === 'string') found.functions.add(fn['function_name'].toLowerCase());
  }
  if (n['type'] === 'SHOW_REF' && n['query'] === null) found.listsCatalog = true;
  for (const value of Object.values(n)) if (value !== null && typeof value === 'object') visit(value, found);
}
