// The manifest's columns: the agreed core list (docs: manifest-spec) and the parameter columns the procedures YAML adds.

export type SqlType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMPTZ';
import type { ValueType } from '../schema/procedures-schema.js';

/** A parameter column's type, as the procedures YAML declares it. */
export type ParameterType = ValueType;

export interface ManifestColumn {
  readonly name: string;
  readonly sqlType: SqlType;
  /** A required column is never null in a sound manifest. */
  readonly required: boolean;
}

/** A parameter column as the procedures YAML declares it. */
export interface ParameterColumn {
  readonly name: string;
  readonly type: ParameterType;
  /** The range a sound value keeps to, from the procedures YAML (`min`, `max` inclusive; `above` exclusive). */
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  readonly above?: number | undefined;
  /** How a person names it in a message (`laser voltage`): its header key, lower-cased. */
  readonly label?: string | undefined;
}

export const MANIFEST_SCHEMA_VERSION = 1;

const column = (name: string, sqlType: SqlType, required: boolean): ManifestColumn => ({ name, sqlType, required });

/** The core columns, in the agreed order. */
export const CORE_COLUMNS: readonly ManifestColumn[] = [
  column('run_id', 'VARCHAR', true),
  column('source_file', 'VARCHAR', true),
  column('proc', 'VARCHAR', true),
  column('start_time_utc', 'TIMESTAMPTZ', false),
  column('date_local', 'VARCHAR', true),
  column('date_origin', 'VARCHAR', true),
  column('file_idx', 'BIGINT', false),
  column('chip_group', 'VARCHAR', false),
  column('chip_number', 'BIGINT', false),
  column('chip_name', 'VARCHAR', false),
  column('has_light', 'BOOLEAN', false),
  column('rows', 'BIGINT', true),
  column('duration_s', 'DOUBLE', false),
  column('summary', 'VARCHAR', true),
  column('path', 'VARCHAR', true),
  column('status', 'VARCHAR', true),
  column('schema_version', 'BIGINT', true),
  column('extraction_version', 'VARCHAR', true),
  column('ingested_at_utc', 'TIMESTAMPTZ', true),
  column('source_size', 'BIGINT', true),
  column('source_mtime_ms', 'DOUBLE', true),
  column('source_sha1', 'VARCHAR', true),
  column('warnings', 'VARCHAR', true),
  // The id of the procedure schema the run's data file was written with (procedure-schemas.ts); null: written
  // before schemas existed, so the file is conformed on the next stage run.
  column('data_schema', 'VARCHAR', false),
];

const CORE_NAMES = new Set(CORE_COLUMNS.map((c) => c.name));

export function isCoreColumn(name: string): boolean {
  return CORE_NAMES.has(name);
}

export const SQL_TYPE_OF: Readonly<Record<ParameterType, SqlType>> = {
  float: 'DOUBLE',
  int: 'BIGINT',
  str: 'VARCHAR',
  bool: 'BOOLEAN',
  datetime: 'TIMESTAMPTZ',
};

const PARAMETER_TYPE_OF: Readonly<Record<SqlType, ParameterType>> = {
  DOUBLE: 'float',
  BIGINT: 'int',
  VARCHAR: 'str',
  BOOLEAN: 'bool',
  TIMESTAMPTZ: 'datetime',
};

/** The parameter type of a column DuckDB describes (`TIMESTAMP WITH TIME ZONE` -> datetime); null when foreign. */
export function parameterTypeOfSql(duckdbType: string): ParameterType | null {
  const normalised = duckdbType.toUpperCase() === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : duckdbType.toUpperCase();
  return PARAMETER_TYPE_OF[normalised as SqlType] ?? null;
}

/**
 * Core columns then the parameter columns, in the order given. A parameter named like a core column, or
 * listed twice, is ignored after its first appearance (the core column wins) so the table never has two.
 */
export function manifestColumns(parameterColumns: readonly ParameterColumn[]): readonly ManifestColumn[] {
  const seen = new Set(CORE_NAMES);
  const columns = [...CORE_COLUMNS];
  for (const parameter of parameterColumns) {
    if (seen.has(parameter.name)) continue;
    seen.add(parameter.name);
    columns.push(column(parameter.name, SQL_TYPE_OF[parameter.type], false));
  }
  return columns;
}

/** `parameterColumns` plus any in `existing` it lacks (a column once in the manifest is kept, never dropped). */
export function mergeParameterColumns(
  parameterColumns: readonly ParameterColumn[],
  existing: readonly ParameterColumn[],
): readonly ParameterColumn[] {
  const names = new Set(parameterColumns.map((p) => p.name));
  return [...parameterColumns, ...existing.filter((p) => !names.has(p.name) && !isCoreColumn(p.name))];
}
