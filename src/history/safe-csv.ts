// CSV text that is safe to open in a spreadsheet: RFC 4180 quoting, formula-looking text neutralised.

// A cell a spreadsheet would run as a formula (OWASP: = + - @, and tab / carriage return that hide them).
const FORMULA_START = /^[=+\-@\t\r]/;
// A cell holding one of these is quoted, its quotes doubled (what csv-stringify does by default).
const NEEDS_QUOTES = /[",\r\n]/;

function quoted(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One cell as CSV text: empty for null, ISO-8601 for a Date, `true`/`false`, numbers as JS writes them (a bigint
 * in full), JSON for a list or a struct, and text neutralised and quoted.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      // Text starting like a formula gets a leading `'` so it is shown, not run.
      return quoted(FORMULA_START.test(value) ? `'${value}` : value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof Date) return value.toISOString();
      return quoted(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
}

/** One CSV line (with its newline) of cells. */
export function csvLine(cells: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += i === 0 ? csvCell(cells[i]) : `,${csvCell(cells[i])}`;
  return `${line}\n`;
}

/** A header line and one line per row, the columns in the order given. */
export function toSafeCsv(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): string {
  const header = columns.map(quoted).join(',');
  const lines = new Array<string>(rows.length + 1);
  lines[0] = `${header}\n`;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = '';
    for (let c = 0; c < columns.length; c++) line += c === 0 ? csvCell(row[columns[c]!]) : `,${csvCell(row[columns[c]!])}`;
    lines[r + 1] = `${line}\n`;
  }
  return lines.join('');
}
