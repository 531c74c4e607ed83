// SQL quoting shared by every database strata talks to: string literals, identifiers, and checked table/column names.
import { StrataError } from '../errors.js';

/**
 * Table and column names: lower-case letters, digits and underscores. They are quoted in SQL as
 * well, so nothing from a file name or a header can ever reach a statement unquoted or unchecked.
 */
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** A SQL string literal: `it's` -> `'it''s'` (the same rule in DuckDB and PostgreSQL). */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier: `my "col"` -> `"my ""col"""`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A checked, quoted identifier: anything not matching the strict pattern never reaches SQL. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new StrataError('validation', `'${name}' is not allowed as a table or column name (lower-case letters, digits, _)`, { name });
  }
  return sqlIdentifier(name);
}
