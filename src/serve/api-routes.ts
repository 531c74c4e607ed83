// The JSON API of `strata serve`: every route checks what comes from the URL before it reaches SQL or a file path.
import { HISTORY_COLUMNS } from '../history/chip-history.js';
import { toSafeCsv } from '../history/safe-csv.js';
import { StrataError } from '../errors.js';
import { IDENTIFIER_PATTERN } from '../sql/quote.js';
import { BadParameter, dateParam, pagingParams, parseFilters, procParam, searchText, wholeParam, numberParam } from './api-params.js';
import { codeSnippets } from './code-snippets.js';
import type { ChipSummary, LakeView, ManifestRecord } from './lake-view.js';
import type { MetricsView } from './metrics-view.js';
import { readRunFamily } from './run-family.js';
import { fileColumns, readRunSeries, runFile } from './run-series.js';

export type ApiResponse =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'csv'; readonly filename: string; readonly body: string };

/** What the API reads: the manifest and the derived metrics beside it. */
export interface LakeReaders {
  readonly view: LakeView;
  readonly metrics: MetricsView;
}

const RUN_ID = /^[0-9a-f]{16}$/;
/** A column is looked up among the file's own columns before it reaches SQL (quoted); this only bounds its length. */
const COLUMN = /^[^\u0000-\u001f]{1,200}$/;
const MAX_POINTS = 100_000;

const json = (status: number, body: unknown): ApiResponse => ({ kind: 'json', status, body });
const bad = (error: string): ApiResponse => json(400, { error });
/** The column types the page can draw (DuckDB's names). */
const NUMERIC_TYPE = /^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|DECIMAL.*)$/;
const notFound = (error: string): ApiResponse => json(404, { error });

/** Answers one API request; `segments` are the decoded path parts after `/api/`. */
export async function answerApi(lake: LakeReaders, segments: readonly string[], query: URLSearchParams): Promise<ApiResponse> {
  try {
    return await route(lake, segments, query);
  } catch (error) {
    if (error instanceof BadParameter) return bad(error.message);
    if (error instanceof StrataError && error.code === 'usage') return bad(error.message);
    throw error;
  }
}

async function route(lake: LakeReaders, segments: readonly string[], query: URLSearchParams): Promise<ApiResponse> {
  const { view } = lake;
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0) return notFound(`no API route /api/${segments.join('/')}.`);
  if (first === 'overview' && second === undefined) return json(200, await view.overview());
  if (first === 'metrics' && second === undefined) {
    const { state, metrics } = await lake.metrics.names();
    return json(200, { state, metrics });
  }
  if (first === 'search' && second === undefined) return search(view, query);
  if (first === 'procedures' && second === undefined) return json(200, { procedures: await view.procedures() });
  if (first === 'chips' && second === undefined) return json(200, { chips: await view.chips(parseFilters(query).group) });
  if (first === 'chips' && second !== undefined && (third === 'runs' || third === 'family' || third === 'metrics')) {
    const lookup = await view.resolveChip(second, parseFilters(query).group);
    if (lookup.kind === 'missing') return notFound(`no chip '${second}' in the manifest: /api/chips lists every chip by its name (such as Alisson67).`);
    if (lookup.kind === 'ambiguous') {
      const names = lookup.chips.map((c) => c.chip_name).join(', ');
      return bad(`chip ${second} is in ${lookup.chips.length} groups: name one of ${names}, or pass group=.`);
    }
    if (third === 'runs') return chipRuns(view, lookup.chip, query);
    return third === 'family' ? chipFamily(view, lookup.chip, query) : chipMetrics(lake, lookup.chip, query);
  }
  if (first === 'runs' && second === undefined) {
    const date = dateParam(query, 'date');
    if (date === undefined) return bad(`date must be a calendar date YYYY-MM-DD, got ''.`);
    const proc = procParam(query);
    return json(200, { date, proc: proc ?? null, runs: await view.runsOn(date, proc) });
  }
  if (first === 'runs' && second !== undefined && (third === undefined || third === 'series')) {
    if (!RUN_ID.test(second)) return notFound(`no run '${second}': a run id is 16 hex digits.`);
    const row = await view.run(second);
    if (row === null) return notFound(`no run ${second} in the manifest.`);
    return third === undefined ? runPage(view, row) : series(view, row, query);
  }
  return notFound(`no API route /api/${segments.join('/')}.`);
}

function chipHead(chip: ChipSummary) {
  return { chip_group: chip.chip_group, chip_number: chip.chip_number, chip_name: chip.chip_name };
}

async function chipRuns(view: LakeView, chip: ChipSummary, query: URLSearchParams): Promise<ApiResponse> {
  const runs = (await view.chipRuns(chip, parseFilters(query))).map(({ path: _path, rows: _rows, ...run }) => run);
  if (query.get('format') === 'csv') return { kind: 'csv', filename: `${chip.chip_name}_history.csv`, body: toSafeCsv(runs, HISTORY_COLUMNS) };
  // The procedures the YAML gives a plot: the page offers to draw their runs together, and only theirs.
  const plotted = [...new Set(runs.map((r) => String(r['proc'])))].filter((proc) => view.options.catalog.procedures.get(proc)?.plot !== undefined).sort();
  return json(200, { ...chipHead(chip), total_runs: chip.runs, plotted, runs });
}

async function chipFamily(view: LakeView, chip: ChipSummary, query: URLSearchParams): Promise<ApiResponse> {
  const proc = procParam(query);
  if (proc === undefined) return bad('proc is needed: the procedure whose runs to draw together, such as IVg.');
  const result = await readRunFamily(view, chip, proc, parseFilters(query), wholeParam(query, 'points', 10, 5000, 400));
  return result.ok ? json(200, { ...chipHead(chip), ...result.family }) : json(result.status, { error: result.error });
}

async function chipMetrics(lake: LakeReaders, chip: ChipSummary, query: URLSearchParams): Promise<ApiResponse> {
  const context = (query.get('context') ?? '').split(',').filter((c) => c !== '');
  for (const c of context) if (!IDENTIFIER_PATTERN.test(c)) return bad(`context must name manifest columns (snake_case), got '${c}'.`);
  const found = await lake.metrics.forChip(chip, context);
  return json(200, { ...chipHead(chip), ...found });
}

async function search(view: LakeView, query: URLSearchParams): Promise<ApiResponse> {
  const filters = parseFilters(query);
  const chipRef = query.get('chip');
  let chip: ChipSummary | undefined;
  if (chipRef !== null && chipRef !== '') {
    const lookup = await view.resolveChip(chipRef, filters.group);
    if (lookup.kind === 'missing') return notFound(`no chip '${chipRef}' in the manifest: /api/chips lists every chip by its name.`);
    if (lookup.kind === 'ambiguous') return bad(`chip ${chipRef} is in ${lookup.chips.length} groups: name one of ${lookup.chips.map((c) => c.chip_name).join(', ')}.`);
    chip = lookup.chip;
  }
  const paging = pagingParams(query);
  const found = await view.search({ ...filters, chip, text: searchText(query) }, paging);
  return json(200, { ...paging, ...found });
}

function warningsOf(row: ManifestRecord): string[] {
  const text = row['warnings'];
  if (typeof text !== 'string' || text === '' || text === '[]') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [text];
  } catch {
    return [text];
  }
}

async function runPage(view: LakeView, row: ManifestRecord): Promise<ApiResponse> {
  const spec = view.options.catalog.procedures.get(String(row['proc']));
  const file = runFile(view.options.stageRoot, row);
  const snippets = codeSnippets({ manifestPath: view.options.manifestPath, stageRoot: view.options.stageRoot, row });
  return json(200, {
    run: row,
    plot: spec?.plot ?? null,
    has_file: file !== null,
    columns: file === null ? [] : await fileColumns(view.conn, file),
    warnings: warningsOf(row),
    ...(await view.neighbours(row)),
    snippets,
  });
}

async function series(view: LakeView, row: ManifestRecord, query: URLSearchParams): Promise<ApiResponse> {
  const spec = view.options.catalog.procedures.get(String(row['proc']));
  const points = wholeParam(query, 'points', 3, MAX_POINTS, 2000);
  const from = numberParam(query, 'from');
  const to = numberParam(query, 'to');
  if ((from === undefined) !== (to === undefined)) return bad('from and to go together: give both or neither.');
  const file = runFile(view.options.stageRoot, row);
  if (file === null) return notFound(`the data file of run ${String(row['run_id'])} is missing under the stage root.`);
  // Without a plot in the YAML, the file's first two numeric columns, as the page draws it.
  const described = spec?.plot === undefined ? await fileColumns(view.conn, file) : undefined;
  const numeric = (described ?? []).filter((c) => NUMERIC_TYPE.test(c.type)).map((c) => c.name);
  const x = query.get('x') ?? spec?.plot?.x ?? numeric[0];
  const ys = query.get('y') !== null ? query.get('y')!.split(',') : (spec?.plot?.y ?? numeric.slice(1, 2));
  if (x === undefined || ys.length === 0) return bad(`procedure ${String(row['proc'])} has no plot in the procedures YAML and its file has fewer than two numeric columns: pass x and y.`);
  for (const name of [x, ...ys]) if (!COLUMN.test(name)) return bad(`'${name}' is not a column name.`);
  const result = await readRunSeries(view.conn, file, row, spec, { x, y: ys, points, from, to }, described);
  return result.ok ? json(200, result.series) : json(result.status, { error: result.error });
}
