// Runs as a table for a terminal: aligned columns, light markers, long text shortened to fit the width.

type Run = Readonly<Record<string, unknown>>;

export function lightMarker(hasLight: unknown): string {
  return hasLight === true ? '☀ light' : hasLight === false ? '· dark' : '? unknown';
}

export interface TableColumn {
  readonly title: string;
  readonly cell: (run: Run) => string;
  readonly alignRight?: boolean;
  /** Gives up width when the table is too wide: 'end' cuts the end of the text, 'start' its start (paths). */
  readonly shrink?: 'end' | 'start';
}

const text = (name: string) => (run: Run) => (run[name] === null || run[name] === undefined ? '' : String(run[name]));

const TAIL: readonly TableColumn[] = [
  { title: 'date', cell: text('date_local') },
  { title: 'time', cell: (r) => (typeof r['time_local'] === 'string' ? r['time_local'] : '--:--:--') },
  { title: 'proc', cell: text('proc') },
  { title: 'light', cell: (r) => lightMarker(r['has_light']) },
  { title: 'summary', cell: text('summary'), shrink: 'end' },
  { title: 'idx', cell: text('file_idx'), alignRight: true },
  { title: 'run_id', cell: text('run_id') },
  { title: 'source_file', cell: text('source_file'), shrink: 'start' },
];

export const HISTORY_TABLE: readonly TableColumn[] = [{ title: 'seq', cell: text('seq'), alignRight: true }, ...TAIL];
export const INSPECT_TABLE: readonly TableColumn[] = [{ title: 'chip', cell: text('chip_name') }, ...TAIL];

const GAP = '  ';
const MIN_SHRUNK = 12;

function shorten(value: string, width: number, keep: 'end' | 'start'): string {
  if (value.length <= width) return value;
  return keep === 'end' ? `${value.slice(0, width - 1)}…` : `…${value.slice(value.length - width + 1)}`;
}

/** Widths that fit `maxWidth`: shrinkable columns give up width, the last one (source file) first. */
function fitWidths(columns: readonly TableColumn[], natural: readonly number[], maxWidth: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  for (let i = columns.length - 1; i >= 0; i--) {
    const excess = total() - maxWidth;
    if (excess > 0 && columns[i]!.shrink) widths[i] = Math.max(MIN_SHRUNK, widths[i]! - excess);
  }
  return widths;
}

/** The table as text: a title line, the header, a rule, one line per run, a count. */
export function renderRunTable(title: string, columns: readonly TableColumn[], runs: readonly Run[], maxWidth = 120): string {
  const cells = runs.map((run) => columns.map((c) => c.cell(run)));
  const natural = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const widths = fitWidths(columns, natural, maxWidth);
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => {
        const column = columns[i]!;
        const cell = shorten(v, widths[i]!, column.shrink ?? 'end');
        return column.alignRight ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join(GAP)
      .trimEnd();
  const lit = runs.filter((r) => r['has_light'] === true).length;
  const footer = `${runs.length} run${runs.length === 1 ? '' : 's'}, ${lit} with light`;
  return [title, '', line(columns.map((c) => c.title)), widths.map((w) => '─'.repeat(w)).join(GAP), ...cells.map(line), '', footer, ''].join('\n');
}
