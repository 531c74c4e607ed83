// The values of a run's own columns (start time, source file, light, chip, file index, mapped parameters),
// one value for the whole data file.
import type { ColumnValues } from '../parquet/parquet-columns.js';
import type { ValueType } from '../schema/procedures-schema.js';
import type { HeaderValue } from '../parse/header-value.js';
import { PARQUET_TYPE_OF } from '../parse/data-table.js';
import type { RunPlan } from './plan-run.js';
import type { LakeColumn } from '../lake/procedure-schemas.js';


/** A constant column of `type` holding `value` (a Date as microseconds; a value of the wrong kind as null). */
export function constantColumn(type: ValueType, value: HeaderValue | undefined): ColumnValues {
  let stored: number | bigint | boolean | string | null = null;
  if (value instanceof Date) stored = type === 'datetime' ? BigInt(value.getTime()) * 1000n : null;
  else if (typeof value === 'number') stored = type === 'int' ? (Number.isInteger(value) ? BigInt(value) : null) : type === 'float' && Number.isFinite(value) ? value : null;
  else if (typeof value === 'boolean') stored = type === 'bool' ? value : null;
  else if (typeof value === 'string') stored = type === 'str' ? value : null;
  return { kind: 'constant', type: PARQUET_TYPE_OF[type], value: stored };
}

/** For a planned run: the constant column of each run column of its schema. */
export function runColumns(plan: RunPlan): (column: LakeColumn) => ColumnValues {
  const values: Record<string, HeaderValue> = {
    start_time_utc: plan.startTimeUtc,
    source_file: plan.file.relPath,
    has_light: plan.hasLight,
    chip_group: plan.chip.chipGroup,
    chip_number: plan.chip.chipNumber,
    chip_name: plan.chip.chipName,
    file_idx: plan.fileIdx,
  };
  return (column) => constantColumn(column.type, column.name in values ? values[column.name] : plan.parameters.get(column.name)?.value);
}
