// datasets.yml: per dataset, which landed files belong to it, their headers, column types and stage table.
import path from 'node:path';
import { z } from 'zod';
import { configError } from '../errors.js';
import { checkYaml, readYamlFile } from '../schema/yaml-file.js';
import { checkSafeName } from '../fs/safe-name.js';
import { IDENTIFIER_PATTERN } from '../sql/quote.js';
import { isCalendarDate } from '../time/calendar-date.js';
import { compileFilePattern, type FilePattern } from './file-pattern.js';

/** The cell types a dataset column may declare. */
export const COLUMN_TYPES = ['int', 'float', 'str', 'date', 'bool'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Database column types, the same words on DuckDB and PostgreSQL. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  int: 'BIGINT',
  float: 'DOUBLE PRECISION',
  str: 'TEXT',
  date: 'DATE',
  bool: 'BOOLEAN',
};

/** Periods are calendar dates at the grain the dataset lands in: a year, a month or a day. */
const PERIOD_PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

export interface DatasetColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface DatasetRule {
  readonly name: string;
  readonly filePattern: FilePattern;
  readonly table: string;
  readonly requiredHeaders: readonly string[];
  readonly columns: readonly DatasetColumn[];
  readonly primaryKey: readonly string[];
  /** The sheet of an .xlsx file to read; the first one when absent. */
  readonly sheet?: string;
  /**
   * The share of rows (0 to 1) a file may lose to rejects and still be published. Whatever it is, a
   * file that keeps no row is never published: it would replace its period with nothing.
   */
  readonly maxRejectedShare?: number;
  /** Absolute paths of the SQL scripts run by `strata transform` and `strata publish`. */
  readonly transformSql?: string;
  readonly publishSql?: string;
}

export interface DatasetRules {
  readonly file: string;
  readonly datasets: readonly DatasetRule[];
}

const identifier = z.string().regex(IDENTIFIER_PATTERN, 'must be lower-case letters, digits and underscores, starting with a letter or _');

const datasetSchema = z.strictObject({
  file_pattern: z.string().min(1),
  table: identifier,
  required_headers: z.array(identifier).min(1),
  columns: z.record(identifier, z.enum(COLUMN_TYPES)),
  primary_key: z.array(identifier).optional(),
  sheet: z.string().min(1).optional(),
  max_rejected_share: z.number().min(0).max(1).optional(),
  transform: z.string().min(1).optional(),
  publish: z.string().min(1).optional(),
});

/** A dataset's name becomes a folder (stage/cleaned/<dataset>/): the one rule for such names. */
const datasetName = z.string().superRefine((name, context) => {
  const check = checkSafeName(name, 'a dataset name');
  if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
});

const rulesSchema = z.strictObject({ datasets: z.record(datasetName, datasetSchema) });

const WHAT = 'the dataset rules';

/** Reads and checks datasets.yml once; every problem names the dataset and the key. */
export async function loadDatasetRules(file: string): Promise<DatasetRules> {
  return parseDatasetRules(readYamlFile(file, WHAT), file);
}

export function parseDatasetRules(raw: unknown, file: string): DatasetRules {
  const rules = checkYaml(rulesSchema, raw, file, WHAT, (issue) => `${file}: ${describeIssue(issue)}`);
  const baseDir = path.dirname(file);
  const datasets = Object.entries(rules.datasets).map(([name, body]) => toRule(name, body, file, baseDir));
  return { file, datasets };
}

/** `dataset 'citizens', key columns.income: ...`: where in the file, in the words of the file. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid dataset rules';
  const [top, dataset, ...rest] = issue.path.map(String);
  const extra = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const key = [...rest, ...extra].join('.');
  // A dataset's name is a key of the record: zod files what is wrong with it as an inner issue.
  if (issue.code === 'invalid_key') return `dataset ${JSON.stringify(dataset)}: ${issue.issues[0]?.message ?? issue.message}`;
  if (top === 'datasets' && dataset !== undefined) return `dataset '${dataset}', key ${key || '(the dataset)'}: ${issue.message}`;
  return `key ${[top, dataset, ...rest, ...extra].filter((k) => k !== undefined).join('.') || '(top level)'}: ${issue.message}`;
}

function toRule(name: string, body: z.infer<typeof datasetSchema>, file: string, baseDir: string): DatasetRule {
  const fail = (key: string, message: string) => configError(`${file}: dataset '${name}', key ${key}: ${message}`, { file, dataset: name, key });
  const compiled = compileFilePattern(body.file_pattern);
  if (!compiled.ok) throw fail('file_pattern', compiled.reason);
  const columns = Object.entries(body.columns).map(([column, type]) => ({ name: column, type }));
  if (columns.length === 0) throw fail('columns', 'declare at least one column');
  const declared = new Set(columns.map((c) => c.name));
  for (const key of ['required_headers', 'primary_key'] as const) {
    const missing = (body[key] ?? []).find((c) => !declared.has(c));
    if (missing !== undefined) throw fail(key, `'${missing}' is not one of the columns (${[...declared].join(', ')})`);
  }
  if (declared.has('_data_period')) throw fail('columns', "'_data_period' is added by strata itself");
  return {
    name,
    filePattern: compiled.pattern,
    table: body.table,
    requiredHeaders: body.required_headers,
    columns,
    primaryKey: body.primary_key ?? [],
    ...(body.sheet !== undefined && { sheet: body.sheet }),
    ...(body.max_rejected_share !== undefined && { maxRejectedShare: body.max_rejected_share }),
    ...(body.transform !== undefined && { transformSql: path.resolve(baseDir, body.transform) }),
    ...(body.publish !== undefined && { publishSql: path.resolve(baseDir, body.publish) }),
  };
}

export function findDataset(rules: DatasetRules, name: string): DatasetRule {
  const rule = rules.datasets.find((d) => d.name === name);
  if (!rule) throw configError(`${rules.file} has no dataset '${name}' (known: ${rules.datasets.map((d) => d.name).join(', ')})`);
  return rule;
}

export type FileMatch =
  | { readonly ok: true; readonly dataset: DatasetRule; readonly period: string }
  | { readonly ok: false; readonly reason: string; readonly dataset?: DatasetRule };

/** Which dataset a landed file belongs to, by its base name, and the period it carries. */
export function matchLandedFile(rules: DatasetRules, file: string): FileMatch {
  const base = path.basename(file);
  for (const dataset of rules.datasets) {
    const period = dataset.filePattern.periodOf(base);
    if (period === undefined) continue;
    const problem = periodProblem(period);
    if (problem) return { ok: false, dataset, reason: `${base}: the period '${period}' in the file name ${problem}` };
    return { ok: true, dataset, period };
  }
  const patterns = rules.datasets.map((d) => `${d.name}: ${d.filePattern.source}`).join('; ');
  return { ok: false, reason: `${base} matches no dataset's file_pattern in ${path.basename(rules.file)} (${patterns})` };
}

/** Why a period is not a real calendar date (YYYY, YYYY-MM or YYYY-MM-DD), or null when it is one. */
export function periodProblem(period: string): string | null {
  const parts = PERIOD_PATTERN.exec(period);
  if (!parts) return 'is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)';
  const [, year, month = '01', day = '01'] = parts;
  return isCalendarDate(`${year}-${month}-${day}`) ? null : 'is not a real calendar date';
}
