// The runs table's columns: the manifest's core columns, made by the migrations, and the parameter columns the
// procedures YAML maps, added as stagers meet them (ALTER TABLE ... ADD COLUMN IF NOT EXISTS under a lock).
import { StrataError } from '../errors.js';
import { isCoreColumn, manifestColumns, type ManifestColumn, type ParameterColumn, type SqlType } from '../lake/manifest-columns.js';
import { quoteIdentifier } from '../sql/quote.js';
import { CATALOG_LOCK_NAMESPACE, type CatalogLayout } from './catalog-layout.js';
import type { CatalogSession, CatalogStatements } from './catalog-session.js';

/** How PostgreSQL spells each manifest type (format_type's words). */
export const POSTGRES_TYPE_OF: Readonly<Record<SqlType, string>> = {
  VARCHAR: 'text',
  BIGINT: 'bigint',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
  TIMESTAMPTZ: 'timestamp with time zone',
};

const SQL_TYPE_OF_POSTGRES: ReadonlyMap<string, SqlType> = new Map(Object.entries(POSTGRES_TYPE_OF).map(([sql, pg]) => [pg, sql as SqlType]));

/** A column of the runs table as PostgreSQL describes it. */
export interface TableColumn {
  readonly name: string;
  /** format_type's words: `text`, `bigint`, `timestamp with time zone`... */
  readonly type: string;
  readonly notNull: boolean;
}

/** Every column of the runs table, in table order (the catalog's own `_` columns too). */
export async function describeRunsTable(db: CatalogStatements, layout: CatalogLayout): Promise<TableColumn[]> {
  return db.query<TableColumn>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull"
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [layout.runs],
  );
}

/** Whether a column is the catalog's own (`_source_version`...): YAML column names start with a letter, so never. */
export function isCatalogColumn(name: string): boolean {
  return name.startsWith('_');
}

/** The manifest columns among the table's, in manifest order: the core ones, then parameters as they were added. */
export function manifestColumnsOf(table: readonly TableColumn[]): ManifestColumn[] {
  return table.flatMap((c) => {
    const sqlType = SQL_TYPE_OF_POSTGRES.get(c.type);
    return isCatalogColumn(c.name) || sqlType === undefined ? [] : [{ name: c.name, sqlType, required: c.notNull }];
  });
}

/** The parameter columns among the table's, typed as the procedures YAML types them. */
export function parameterColumnsOf(table: readonly TableColumn[]): ParameterColumn[] {
  const TYPE: Readonly<Record<SqlType, ParameterColumn['type']>> = { VARCHAR: 'str', BIGINT: 'int', DOUBLE: 'float', BOOLEAN: 'bool', TIMESTAMPTZ: 'datetime' };
  return manifestColumnsOf(table)
    .filter((c) => !isCoreColumn(c.name))
    .map((c) => ({ name: c.name, type: TYPE[c.sqlType] }));
}

/**
 * Adds the parameter columns the table lacks, in one transaction under the catalog's column lock (two stagers
 * that meet a new column at once add it once). A column there already with another type is refused: the YAML
 * would give one column two types. Returns the table's columns after it.
 */
export async function addParameterColumns(
  session: CatalogSession,
  layout: CatalogLayout,
  parameterColumns: readonly ParameterColumn[],
): Promise<TableColumn[]> {
  const wanted = manifestColumns(parameterColumns).filter((c) => !isCoreColumn(c.name));
  return session.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [CATALOG_LOCK_NAMESPACE, layout.lockKeys.runColumns]);
    const existing = new Map((await describeRunsTable(tx, layout)).map((c) => [c.name, c]));
    const missing = wanted.filter((c) => {
      const found = existing.get(c.name);
      if (found !== undefined && found.type !== POSTGRES_TYPE_OF[c.sqlType]) {
        throw new StrataError(
          'validation',
          `the catalog's manifest column ${c.name} is ${found.type}, and the procedures YAML now makes it ${POSTGRES_TYPE_OF[c.sqlType]}: a column keeps its type (name the new one differently)`,
          { column: c.name },
        );
      }
      return found === undefined;
    });
    if (missing.length > 0) {
      await tx.query(
        `ALTER TABLE ${layout.runs} ${missing.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${POSTGRES_TYPE_OF[c.sqlType]}`).join(', ')}`,
      );
    }
    return describeRunsTable(tx, layout);
  });
}
