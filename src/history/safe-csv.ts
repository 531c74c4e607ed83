// CSV text that is safe to open in a spreadsheet: quoting by csv-stringify, formula-looking text neutralised.
import { stringify } from 'csv-stringify/sync';

// A cell a spreadsheet would run as a formula (OWASP: = + - @, and tab / carriage return that hide them).
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text starting like a formula gets a leading `'` so it is shown, not run; numbers and booleans stay as they are. */
export function neutraliseCell(value: unknown): unknown {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

function cellText(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return neutraliseCell(value);
}

/** A header line and one line per row, the columns in the order given. */
export function toSafeCsv(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): string {
  return stringify(
    rows.map((row) => columns.map((c) => cellText(row[c]))),
    { header: true, columns: [...columns], cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}
