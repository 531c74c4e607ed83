// From one raw file's bytes to everything needed to stage it: identity, time, typed parameters, column mapping.
import path from 'node:path';
import type { InstrumentHeader } from '../parse/instrument-header.js';
import { rawFormatOf } from '../parse/raw-formats.js';
import type { Delimiter } from '../parse/table-delimiter.js';
import { firstDataRows } from '../parse/data-rows.js';
import { isNullWord } from '../parse/cell-words.js';
import { headerWarnings } from '../parse/header-checks.js';
import type { ChipParams } from '../parse/run-identity.js';
import { castHeaderValue, readInstant, type HeaderValue } from '../parse/header-value.js';
import { chipIdentity, chipNumberWarning, declaredChip, fileIndex, partitionDate, unsafeRunName, type ChipIdentity, type DateOrigin } from '../parse/run-identity.js';
import { matchColumns, type ColumnMatch } from '../schema/match-columns.js';
import type { LightRule, ProcedureCatalog, ProcedureSpec, ValueType } from '../schema/procedures-schema.js';
import { runId } from '../lake/run-id.js';
import { runDataPath } from '../lake/partition-path.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { RejectKind } from '../lake/reject-records.js';

export interface PlanOptions {
  readonly localTz: string;
  readonly strict: boolean;
  readonly onlyYamlData: boolean;
  /** The lab's chip parameters (`--chip-params`): a chip's declared group wins over its header's. */
  readonly chipParams?: ChipParams | undefined;
  /** When this staging run started: a file modified later than this has a clock ahead, which is said. */
  readonly ingestedAt?: Date;
  /** The most data columns a file may have (`--max-columns`); a file with more is a reject. */
  readonly maxColumns?: number;
}

export interface RunPlan {
  readonly file: RawFile;
  readonly proc: string;
  readonly procedure: ProcedureSpec | undefined;
  readonly runId: string;
  readonly startTimeUtc: Date | null;
  readonly dateLocal: string;
  readonly dateOrigin: DateOrigin;
  readonly fileIdx: number | null;
  readonly chip: ChipIdentity;
  readonly hasLight: boolean | null;
  /** Manifest parameter columns and their typed values. */
  readonly parameters: ReadonlyMap<string, { readonly type: ValueType; readonly value: HeaderValue }>;
  readonly columns: readonly ColumnMatch[];
  readonly skipLines: number;
  /** The byte between the data table's fields (its raw format's). */
  readonly delimiter: Delimiter;
  /** The data file, relative to the stage root. */
  readonly dataPath: string;
  readonly warnings: readonly string[];
}

export type PlanResult =
  | { readonly ok: true; readonly plan: RunPlan }
  | { readonly ok: false; readonly errorType: RejectKind; readonly error: string };

export function planRun(bytes: Buffer, file: RawFile, catalog: ProcedureCatalog, options: PlanOptions): PlanResult {
  const format = rawFormatOf(bytes);
  const parsed = format.readHeader(bytes);
  if (!parsed.ok) return { ok: false, errorType: parsed.problem.kind, error: parsed.problem.message };
  const { header } = parsed;
  if (options.maxColumns !== undefined && header.columns.length > options.maxColumns) {
    return { ok: false, errorType: 'too-many-columns', error: tooManyColumns(header.columns.length, options.maxColumns) };
  }
  // Who the run is, decided first: its names become folder and file names, so a name that cannot is a reject.
  const declared = declaredChip(chipIdentity(header.parameters, path.basename(file.relPath), catalog.procedures), options.chipParams);
  const { chip } = declared;
  const unsafe = unsafeRunName(header.proc, chip);
  if (unsafe !== null) return { ok: false, errorType: 'unsafe-name', error: unsafe };
  const warnings: string[] = [];
  const procedure = catalog.procedures.get(header.proc);
  if (!procedure) {
    const unknown = `the procedure '${header.proc}' is not in the procedures YAML`;
    if (options.strict) return { ok: false, errorType: 'unknown-procedure', error: unknown };
    warnings.push(`${unknown}; its columns are kept as found`);
  }
  let sample: string[][] | undefined;
  const firstRows = () => (sample ??= firstDataRows(bytes, header.columnLine, 50, format.delimiter));
  const matching = matchColumns(header.columns, procedure?.data ?? [], (i) => inferColumnType(firstRows(), i));
  if (matching.missingRequired.length > 0) {
    const missing = `required column(s) missing: ${matching.missingRequired.join(', ')} (columns found: ${header.columns.join(', ')})`;
    if (options.strict) return { ok: false, errorType: 'missing-required-column', error: missing };
    warnings.push(missing);
  }
  if (options.ingestedAt && file.mtimeMs > options.ingestedAt.getTime() + 1000) {
    warnings.push(`the file's modification time ${new Date(file.mtimeMs).toISOString()} is in the future (a clock ahead?); staged anyway`);
  }
  const startTimeUtc = startTime(header, options.localTz, warnings);
  warnings.push(...headerWarnings(header, startTimeUtc, options.ingestedAt));
  const parameters = typedParameters(header, procedure ?? catalog.common, options.localTz, warnings);
  const tooLarge = chipNumberWarning(header.parameters);
  if (tooLarge !== null) warnings.push(tooLarge);
  if (declared.warning !== null) warnings.push(declared.warning);
  const { dateLocal, dateOrigin } = partitionDate(startTimeUtc, file.relPath, file.mtimeMs, options.localTz);
  const id = runId(file.relPath, startTimeUtc);
  return {
    ok: true,
    plan: {
      file,
      proc: header.proc,
      procedure,
      runId: id,
      startTimeUtc,
      dateLocal,
      dateOrigin,
      fileIdx: fileIndex(file.relPath),
      chip,
      hasLight: hasLight((procedure ?? catalog.common).light, parameters),
      parameters,
      columns: matching.columns,
      skipLines: header.columnLine,
      delimiter: format.delimiter,
      dataPath: runDataPath(header.proc, dateLocal, id),
      warnings,
    },
  };
}

function tooManyColumns(found: number, limit: number): string {
  return (
    `its data table has ${found.toLocaleString('en-US')} columns, more than the ${limit.toLocaleString('en-US')} a file may have; ` +
    'if the file is right, raise the limit with --max-columns (or max-columns in the config file)'
  );
}

function startTime(header: InstrumentHeader, zone: string, warnings: string[]): Date | null {
  const text = header.metadata.get('Start time') ?? header.parameters.get('Start time');
  if (text === undefined || text.trim() === '') return null;
  const reading = readInstant(text, zone);
  if (!reading.ok) {
    warnings.push(`'Start time: ${text}' is ${reading.found}; the date comes from the path or mtime`);
    return null;
  }
  if (reading.note !== undefined) warnings.push(`'Start time: ${text}' ${reading.note}`);
  return reading.instant;
}

function typedParameters(
  header: InstrumentHeader,
  procedure: ProcedureSpec,
  zone: string,
  warnings: string[],
): Map<string, { type: ValueType; value: HeaderValue }> {
  const values = new Map<string, { type: ValueType; value: HeaderValue }>();
  const textOf = (key: string) => header.parameters.get(key) ?? header.metadata.get(key);
  for (const mapping of procedure.manifest) {
    // The first of the column's header keys the file gives wins (a plain loop: this runs for every column of every file).
    let key: string | undefined;
    let text: string | undefined;
    let givenCount = 0;
    for (const candidate of mapping.headerKeys) {
      const found = textOf(candidate);
      if (found === undefined) continue;
      givenCount++;
      if (key === undefined) {
        key = candidate;
        text = found;
      }
    }
    if (givenCount > 1) {
      const given = mapping.headerKeys.flatMap((k) => (textOf(k) === undefined ? [] : [`'${k}: ${textOf(k)}'`]));
      warnings.push(`${mapping.column} is given as ${given.join(' and ')}; '${key}' won`);
    }
    if (key === undefined || text === undefined) {
      values.set(mapping.column, { type: mapping.type, value: null });
      continue;
    }
    const cast = castHeaderValue(text, mapping.type, zone);
    let value: HeaderValue = cast.ok ? cast.value : null;
    if (!cast.ok) warnings.push(`'${key}: ${text}' is not ${cast.expected}; kept as text in the warnings, stored as null`);
    else if (cast.note !== undefined) warnings.push(`'${key}: ${text}' ${cast.note}`);
    if (mapping.zeroIsNull && value === 0) value = null;
    values.set(mapping.column, { type: mapping.type, value });
  }
  return values;
}

/** The procedure's light rule: fixed, or lit when a wavelength is given and the voltage is above zero, dark at 0 V. */
function hasLight(rule: LightRule, parameters: ReadonlyMap<string, { readonly value: HeaderValue }>): boolean | null {
  switch (rule.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'unknown':
      return null;
    case 'columns': {
      const voltage = parameters.get(rule.voltage)?.value;
      const wavelength = parameters.get(rule.wavelength)?.value;
      if (voltage === 0) return false;
      if (typeof voltage === 'number' && voltage > 0 && typeof wavelength === 'number' && wavelength > 0) return true;
      return null;
    }
  }
}

/** A column the YAML does not know is a number when its first rows hold numbers (or nan), else text. */
function inferColumnType(rows: readonly (readonly string[])[], index: number): ValueType {
  const values = rows.map((row) => (row[index] ?? '').trim());
  const numeric = values.every((v) => isNullWord(v) || Number.isFinite(Number(v)));
  return values.length > 0 && numeric ? 'float' : 'str';
}
