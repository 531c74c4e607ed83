// The JSON API of `strata serve`: every route checks what comes from the URL before it reaches SQL or a file path.
import { HISTORY_COLUMNS } from '../history/chip-history.js';
import { toSafeCsv } from '../history/safe-csv.js';
import { StrataError } from '../errors.js';
import { codeSnippets } from './code-snippets.js';
import type { ProcedureSpec } from '../schema/procedures-schema.js';
import type { LakeView, ManifestRecord, RunFilters } from './lake-view.js';
import { readRunSeries, runFile } from './run-series.js';

export type ApiResponse =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'csv'; readonly filename: string; readonly body: string };

const RUN_ID = /^[0-9a-f]{16}$/;
const CHIP = /^\d{1,9}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COLUMN = /^[A-Za-z0-9_ ().%/-]{1,64}$/;
const MAX_POINTS = 100_000;

const json = (status: number, body: unknown): ApiResponse => ({ kind: 'json', status, body });
const bad = (error: string): ApiResponse => json(400, { error });
const notFound = (error: string): ApiResponse => json(404, { error });

class BadParameter extends Error {}

function parseFilters(query: URLSearchParams): RunFilters {
  const one = (name: string, pattern: RegExp, what: string): string | undefined => {
    const value = query.get(name);
    if (value === null || value === '') return undefined;
    if (!pattern.test(value)) throw new BadParameter(`${name} must be ${what}, got '${value}'.`);
    return value;
  };
  const light = one('light', /^(yes|no)$/, 'yes or no');
  return {
    group: one('group', /^[A-Za-z0-9_-]{1,64}$/, 'a chip group name (letters, digits, _ or -)'),
    proc: one('proc', /^[A-Za-z0-9_]{1,64}$/, 'a procedure name such as It'),
    light: light === undefined ? undefined : light === 'yes',
    from: one('from', DATE, 'a date YYYY-MM-DD'),
    to: one('to', DATE, 'a date YYYY-MM-DD'),
  };
}

function numberParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new BadParameter(`${name} must be a number, got '${text}'.`);
  return value;
}

/** Answers one API request; `segments` are the decoded path parts after `/api/`. */
export async function answerApi(view: LakeView, segments: readonly string[], query: URLSearchParams): Promise<ApiResponse> {
  try {
    return await route(view, segments, query);
  } catch (error) {
    if (error instanceof BadParameter) return bad(error.message);
    if (error instanceof StrataError && error.code === 'usage') return bad(error.message);
    throw error;
  }
}

async function route(view: LakeView, segments: readonly string[], query: URLSearchParams): Promise<ApiResponse> {
  const [first, second, third, ...rest] = segments;
  if (first === 'overview' && second === undefined) return json(200, await view.overview());
  if (first === 'chips' && second === undefined) return json(200, { chips: await view.chips(parseFilters(query).group) });
  if (first === 'chips' && second !== undefined && third === 'runs' && rest.length === 0) {
    if (!CHIP.test(second)) return notFound(`no chip '${second}': a chip is a number such as 67.`);
    const filters = parseFilters(query);
    const history = await view.chipRuns(Number(second), filters);
    if (query.get('format') === 'csv') {
      return { kind: 'csv', filename: `${history.chipGroup}${second}_history.csv`, body: toSafeCsv(history.runs, HISTORY_COLUMNS) };
    }
    return json(200, { chip_group: history.chipGroup, chip_number: Number(second), runs: history.runs });
  }
  if (first === 'runs' && second === undefined) {
    const filters = parseFilters(query);
    const date = query.get('date');
    if (date === null || !DATE.test(date)) return bad(`date must be a date YYYY-MM-DD, got '${date ?? ''}'.`);
    return json(200, { date, proc: filters.proc ?? null, runs: await view.runsOn(date, filters.proc) });
  }
  if (first === 'runs' && second !== undefined && (third === undefined || third === 'series') && rest.length === 0) {
    if (!RUN_ID.test(second)) return notFound(`no run '${second}': a run id is 16 hex digits.`);
    const row = await view.run(second);
    if (row === null) return notFound(`no run ${second} in the manifest.`);
    const spec = view.options.catalog.procedures.get(String(row['proc']));
    if (third === undefined) {
      const file = runFile(view.options.stageRoot, row);
      const snippets = codeSnippets({ manifestPath: view.options.manifestPath, stageRoot: view.options.stageRoot, row });
      return json(200, { run: row, plot: spec?.plot ?? null, has_file: file !== null, ...(await view.neighbours(row)), snippets });
    }
    return series(view, row, spec, query);
  }
  return notFound(`no API route /api/${segments.join('/')}.`);
}

async function series(view: LakeView, row: ManifestRecord, spec: ProcedureSpec | undefined, query: URLSearchParams): Promise<ApiResponse> {
  const x = query.get('x') ?? spec?.plot?.x;
  const ys = query.get('y') !== null ? query.get('y')!.split(',') : spec?.plot?.y;
  if (x === undefined || ys === undefined) return bad(`procedure ${String(row['proc'])} has no plot in the procedures YAML: pass x and y.`);
  for (const name of [x, ...ys]) if (!COLUMN.test(name)) return bad(`'${name}' is not a column name.`);
  const points = numberParam(query, 'points') ?? 2000;
  if (!Number.isInteger(points) || points < 3 || points > MAX_POINTS) return bad(`points must be a whole number from 3 to ${MAX_POINTS}.`);
  const from = numberParam(query, 'from');
  const to = numberParam(query, 'to');
  if ((from === undefined) !== (to === undefined)) return bad('from and to go together: give both or neither.');
  const file = runFile(view.options.stageRoot, row);
  if (file === null) return notFound(`the data file of run ${String(row['run_id'])} is missing under the stage root.`);
  const result = await readRunSeries(view.conn, file, row, spec, { x, y: ys, points, from, to });
  return result.ok ? json(200, result.series) : json(result.status, { error: result.error });
}
