// The ManifestRow model: one run's manifest row, checked with zod; rows are validated in one batch, issues as values.
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { parseIsoInstant } from '../time/local-time.js';
import { titleCase } from '../parse/run-identity.js';
import {
  MANIFEST_SCHEMA_VERSION,
  manifestColumns,
  type ManifestColumn,
  type ParameterColumn,
} from './manifest-columns.js';

// zod is loaded when a row is first checked: a re-run with nothing to stage never loads it, which is a large share
// of such a re-run's time from the shell.
const require = createRequire(import.meta.url);
let zod: typeof z | undefined;
const Z = () => (zod ??= (require('zod') as { z: typeof z }).z);

export type ManifestValue = string | number | boolean | Date | null;

/** The typed core of a row; parameter columns ride along under their own names. */
export interface ManifestCoreRow {
  readonly run_id: string;
  readonly source_file: string;
  readonly proc: string;
  readonly start_time_utc: Date | null;
  readonly date_local: string;
  readonly date_origin: 'meta' | 'path' | 'mtime';
  readonly file_idx: number | null;
  readonly chip_group: string | null;
  readonly chip_number: number | null;
  readonly chip_name: string | null;
  readonly has_light: boolean | null;
  readonly rows: number;
  readonly duration_s: number | null;
  readonly summary: string;
  readonly path: string;
  readonly status: string;
  readonly schema_version: number;
  readonly extraction_version: string;
  readonly ingested_at_utc: Date;
  readonly source_size: number;
  readonly source_mtime_ms: number;
  readonly source_sha1: string;
  readonly warnings: string;
}

export type ManifestRow = ManifestCoreRow & { readonly [column: string]: ManifestValue };

export interface RowIssue {
  /** `rule`: the row breaks a column's rule; `duplicate`: its run id is already in the batch. */
  readonly code: 'rule' | 'duplicate';
  readonly path: string;
  readonly message: string;
}

export interface InvalidRow {
  readonly row: unknown;
  readonly issues: readonly RowIssue[];
}

export interface ValidatedRows {
  readonly valid: readonly ManifestRow[];
  readonly invalid: readonly InvalidRow[];
}

// An ISO instant that states its zone: `Z` or an offset. A naive wall-clock time is ambiguous, so refused.
const ZONED_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

const NAIVE_MESSAGE = 'expected a time with a zone (a Date, or ISO-8601 ending in Z or an offset such as -03:00); a time without one is ambiguous';

// Normalising happens in plain code before zod checks the row: zod's transforms cost several times its checks,
// and the manifest is validated whole (100,000 rows) on every write.
type Normalise = (value: unknown) => unknown;

// Date parses the common ISO forms (Z, ±HH:MM) fast; luxon takes the rest (±HHMM, ±HH).
const toInstant: Normalise = (v) => {
  if (typeof v !== 'string' || !ZONED_ISO.test(v)) return v;
  const text = v.replace(' ', 'T');
  const fast = new Date(text);
  return Number.isNaN(fast.getTime()) ? (parseIsoInstant(text, 'UTC') ?? v) : fast;
};
const toNumber: Normalise = (v) => (typeof v === 'bigint' ? Number(v) : v);
const toLower: Normalise = (v) => (typeof v === 'string' ? v.toLowerCase() : v);

const NORMALISE_BY_NAME: Readonly<Record<string, Normalise>> = {
  run_id: toLower,
  source_sha1: toLower,
  chip_group: (v) => (typeof v === 'string' ? titleCase(v) : v),
};

function normaliserFor(column: ManifestColumn): Normalise | null {
  return (
    NORMALISE_BY_NAME[column.name] ??
    (column.sqlType === 'TIMESTAMPTZ' ? toInstant : column.sqlType === 'BIGINT' ? toNumber : null)
  );
}

// Range rules of the core columns; a parameter column's range is the procedures YAML's (`min:`, `max:`, `above:`).
const RANGE_RULES: Readonly<Record<string, (n: z.ZodNumber) => z.ZodNumber>> = {
  duration_s: (n) => n.min(0, 'duration must be at least 0 s'),
  chip_number: (n) => n.min(0, 'chip number must be at least 0'),
  rows: (n) => n.min(0, 'rows must be at least 0'),
};

/** The unit a column name ends with (`laser_voltage_v` -> V), for messages; the YAML names columns unit last. */
const UNITS: Readonly<Record<string, string>> = { v: 'V', a: 'A', nm: 'nm', s: 's', ms: 'ms', hz: 'Hz', c: '°C', degc: '°C', w: 'W' };

function parameterRange(parameter: ParameterColumn): (n: z.ZodNumber) => z.ZodNumber {
  const unit = UNITS[/_([a-z]+)$/.exec(parameter.name)?.[1] ?? ''];
  const value = (n: number) => (unit ? `${n} ${unit}` : String(n));
  const label = parameter.label ?? parameter.name;
  return (n) => {
    let ruled = n;
    if (parameter.min !== undefined) ruled = ruled.min(parameter.min, `${label} must be at least ${value(parameter.min)}`);
    if (parameter.above !== undefined) ruled = ruled.gt(parameter.above, `${label} must be above ${value(parameter.above)} (store no value as null)`);
    if (parameter.max !== undefined) ruled = ruled.max(parameter.max, `${label} must be at most ${value(parameter.max)}`);
    return ruled;
  };
}

/** The columns of a manifest file with the ranges `rules` (the procedures YAML's) give them. */
export function withRanges(columns: readonly ParameterColumn[], rules: readonly ParameterColumn[]): ParameterColumn[] {
  const byName = new Map(rules.map((r) => [r.name, r]));
  return columns.map((c) => {
    const rule = byName.get(c.name);
    return rule ? { ...c, min: rule.min, max: rule.max, above: rule.above, label: rule.label } : c;
  });
}

/** Columns with a rule of their own, built with the first row model. */
const special = (): Readonly<Record<string, z.ZodType>> => ({
  run_id: Z().string().regex(/^[0-9a-f]{16}$/, 'expected 16 hexadecimal digits'),
  chip_group: Z().string().min(1),
  date_local: Z().string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'),
  date_origin: Z().enum(['meta', 'path', 'mtime']),
  schema_version: Z().literal(MANIFEST_SCHEMA_VERSION, `expected schema version ${MANIFEST_SCHEMA_VERSION}`),
  extraction_version: Z().string().min(1, 'expected the extraction version'),
  source_sha1: Z().string().regex(/^[0-9a-f]{40}$/, 'expected 40 hexadecimal digits'),
});
let SPECIAL: Readonly<Record<string, z.ZodType>> | undefined;

function fieldSchema(column: ManifestColumn, parameter: ParameterColumn | undefined): z.ZodType {
  const own = (SPECIAL ??= special())[column.name];
  let base: z.ZodType;
  if (own) base = own;
  else if (column.sqlType === 'VARCHAR') base = Z().string();
  else if (column.sqlType === 'BOOLEAN') base = Z().boolean();
  else if (column.sqlType === 'TIMESTAMPTZ') base = Z().date({ error: NAIVE_MESSAGE });
  else {
    const rule = RANGE_RULES[column.name] ?? (parameter ? parameterRange(parameter) : (n: z.ZodNumber) => n);
    const number = Z().number().finite('expected a finite number');
    base = rule(column.sqlType === 'BIGINT' ? number.int('expected a whole number') : number);
  }
  return column.required ? base : base.nullable();
}

interface RowModel {
  readonly schema: z.ZodType<ManifestRow>;
  readonly columns: readonly ManifestColumn[];
  /** Each column's normaliser, by its place in `columns` (null: the value is kept as it is). */
  readonly normalisers: readonly (Normalise | null)[];
}

const modelCache = new Map<string, RowModel>();
// The same columns array comes with every row of a stage run: found by identity, no key to build per row.
const modelOf = new WeakMap<readonly ParameterColumn[], RowModel>();

function rowModel(parameterColumns: readonly ParameterColumn[]): RowModel {
  const known = modelOf.get(parameterColumns);
  if (known) return known;
  const key = JSON.stringify(parameterColumns);
  let model = modelCache.get(key);
  if (!model) {
    const columns = manifestColumns(parameterColumns);
    const byName = new Map(parameterColumns.map((p) => [p.name, p]));
    const schema = Z().strictObject(Object.fromEntries(columns.map((c) => [c.name, fieldSchema(c, byName.get(c.name))]))) as unknown as z.ZodType<ManifestRow>;
    const normalisers = columns.map(normaliserFor);
    modelCache.set(key, (model = { schema, columns, normalisers }));
  }
  modelOf.set(parameterColumns, model);
  return model;
}

/** A copy of `row`, columns in order, absent optional ones null, values normalised; unknown fields kept for zod to name. */
function normalise(row: unknown, model: RowModel): unknown {
  if (typeof row !== 'object' || row === null || row instanceof Date || Array.isArray(row)) return row;
  const source = row as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  let known = 0;
  const { columns, normalisers } = model;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    let value = source[column.name];
    if (value === undefined) {
      if (!column.required) value = null;
    } else {
      known++;
      const fn = normalisers[i];
      if (fn && value !== null) value = fn(value);
    }
    copy[column.name] = value;
  }
  if (Object.keys(source).length > known) for (const key in source) if (!(key in copy)) copy[key] = source[key];
  return copy;
}

/** Builds the model `validateManifestRows` checks rows against (loading zod and building it is not free), ahead of the first row. */
export function prepareManifestRows(parameterColumns: readonly ParameterColumn[]): void {
  rowModel(parameterColumns);
}

/** Checks a batch: good rows normalised (run id lower-cased, group title-cased, times as Date), bad rows with their issues. */
export function validateManifestRows(rows: readonly unknown[], parameterColumns: readonly ParameterColumn[]): ValidatedRows {
  const model = rowModel(parameterColumns);
  const valid: ManifestRow[] = [];
  const invalid: InvalidRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const result = model.schema.safeParse(normalise(row, model));
    if (!result.success) {
      invalid.push({ row, issues: result.error.issues.map((i) => ({ code: 'rule', path: i.path.map(String).join('.') || '(row)', message: issueMessage(i) })) });
    } else if (seen.has(result.data.run_id)) {
      invalid.push({ row, issues: [{ code: 'duplicate', path: 'run_id', message: `run id ${result.data.run_id} appears twice in the batch` }] });
    } else {
      seen.add(result.data.run_id);
      valid.push(result.data);
    }
  }
  return { valid, invalid };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return issue.message;
}

/** One line per issue, for reject records and error messages: `run_id: expected 16 hexadecimal digits`. */
export function describeIssues(issues: readonly RowIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
