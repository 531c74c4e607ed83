// `strata query "SQL"`: DuckDB SQL over views of the lake (`runs` and one per procedure), printed as a table, CSV or JSON.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { queryLake, type QueryResult } from '../../query/query-lake.js';
import { toSafeCsv } from '../../history/safe-csv.js';
import { choiceOption } from '../parse-option.js';
import { printJson, say, type CliIo, type RegisterCommand } from '../io.js';

const FORMATS = ['table', 'csv', 'json'] as const;

interface QueryFlags {
  readonly stageRoot: string;
  readonly manifest?: string;
  readonly format: (typeof FORMATS)[number];
  readonly out?: string;
  readonly json?: boolean;
}

export const registerQuery: RegisterCommand = (program, { io }) => {
  program
    .command('query')
    .description(
      'Run DuckDB SQL over the lake. Views: runs (the manifest, one row per run) and one per procedure (It, IVg...: ' +
        'every data row, with proc, date and run_id from the partition path). Example: ' +
        `strata query "SELECT r.chip_name, count(*) FROM It JOIN runs r USING (run_id) GROUP BY ALL"`,
    )
    .argument('<sql>', 'one SQL statement; quote procedure views with mixed case as "IVg"')
    .option('--stage-root <dir>', 'the stage root', path.join('data', '02_stage', 'raw_measurements'))
    .option('--manifest <file>', 'the manifest (default: <stage root>/../_manifest/manifest.parquet)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, choiceOption(FORMATS), 'table')
    .option('--out <file>', 'write the result to this file instead of stdout')
    .option('--json', 'print only a JSON summary (rows, columns and the rows themselves) as the one stdout line')
    .action(async (sql: string, flags: QueryFlags) => {
      const stageRoot = path.resolve(io.cwd, flags.stageRoot);
      const manifestPath = flags.manifest ? path.resolve(io.cwd, flags.manifest) : path.join(stageRoot, '..', '_manifest', 'manifest.parquet');
      const result = await queryLake({ stageRoot, manifestPath }, sql);
      if (flags.json) {
        printJson(io, { rows: result.rows.length, columns: result.columns, data: result.rows });
        return;
      }
      const text = render(result, flags.format);
      if (flags.out === undefined) io.stdout.write(text);
      else {
        writeFileSync(path.resolve(io.cwd, flags.out), text);
        say(io, `wrote ${result.rows.length} row${result.rows.length === 1 ? '' : 's'} to ${path.resolve(io.cwd, flags.out)}`);
      }
    });
};

function render(result: QueryResult, format: QueryFlags['format']): string {
  if (format === 'csv') return toSafeCsv(result.rows, result.columns);
  if (format === 'json') return `${JSON.stringify(result.rows)}\n`;
  return renderTable(result);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Aligned columns, numbers to the right; a cell longer than 40 characters is cut with an ellipsis. */
function renderTable({ columns, rows }: QueryResult): string {
  const cells = rows.map((row) => columns.map((c) => {
    const text = cell(row[c]);
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
