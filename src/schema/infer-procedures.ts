// Proposes a procedures YAML from example files: each procedure's header keys and data columns, typed by their values.
import { stringify } from 'yaml';
import { isNullWord, yesNo } from '../parse/cell-words.js';
import type { InstrumentHeader } from '../parse/instrument-header.js';
import { numberOf } from '../parse/header-value.js';
import { snakeName } from './match-columns.js';
import type { ValueType } from './procedures-schema.js';

/** One parsed example: its header and a few data rows split into fields. */
export interface ExampleFile {
  readonly header: InstrumentHeader;
  readonly rows: readonly (readonly string[])[];
}

interface ProcedureDraft {
  parameters: Map<string, string[]>;
  metadata: Map<string, string[]>;
  columns: Map<string, string[]>;
  files: number;
}

/** The YAML text of a proposed schema; a lab member reviews it, then passes it as --procedures-yaml. */
export function inferProceduresYaml(examples: readonly ExampleFile[]): string {
  const drafts = new Map<string, ProcedureDraft>();
  for (const { header, rows } of examples) {
    const draft = drafts.get(header.proc) ?? { parameters: new Map(), metadata: new Map(), columns: new Map(), files: 0 };
    drafts.set(header.proc, draft);
    draft.files++;
    for (const [key, value] of header.parameters) push(draft.parameters, key, value);
    for (const [key, value] of header.metadata) push(draft.metadata, key, value);
    header.columns.forEach((column, i) => rows.forEach((row) => push(draft.columns, column, row[i] ?? '')));
    for (const column of header.columns) if (!draft.columns.has(column)) draft.columns.set(column, []);
  }
  const procedures = Object.fromEntries([...drafts].sort(([a], [b]) => a.localeCompare(b)).map(([name, d]) => [name, procedureYaml(d)]));
  return `# Proposed by \`strata infer-schema\` from ${examples.length} file(s). Review the types, mark required columns,\n# add synonyms, then pass it to \`strata stage --procedures-yaml\`.\n${stringify({ version: 1, procedures })}`;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  if (list.length < 200) list.push(value);
  map.set(key, list);
}

function procedureYaml(draft: ProcedureDraft) {
  const headerEntries = (map: Map<string, string[]>) => Object.fromEntries([...map].map(([key, values]) => [key, inferType(key, values)]));
  const manifest = Object.fromEntries(
    [...draft.parameters]
      .filter(([key]) => key !== 'Chip group name' && key !== 'Chip number')
      .map(([key, values]) => [key, manifestColumnName(key, values)]),
  );
  const data = Object.fromEntries(
    [...draft.columns].map(([column, values]) => [snakeName(column), { type: inferType(column, values), header: column }]),
  );
  const timeColumn = Object.keys(data).find((name) => name === 't_s' || name === 'time_s');
  // The light rule names the columns the instrument's laser keys become (`Laser voltage` -> laser_voltage_v).
  const voltage = manifest['Laser voltage'];
  const wavelength = manifest['Laser wavelength'];
  return {
    description: `Proposed from ${draft.files} file(s).`,
    ...(voltage && wavelength ? { light: { voltage, wavelength } } : {}),
    ...(timeColumn ? { time_column: timeColumn } : {}),
    parameters: headerEntries(draft.parameters),
    metadata: headerEntries(draft.metadata),
    manifest,
    data,
  };
}

function inferType(key: string, values: readonly string[]): ValueType {
  const present = values.map((v) => v.trim()).filter((v) => !isNullWord(v));
  if (present.length === 0) return 'float';
  if (present.every((v) => yesNo(v) !== undefined && !/^[01]$/.test(v))) return 'bool';
  const looksLikeInstant = (v: string) => /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(v) || (/^\d{9,}(\.\d+)?$/.test(v) && Number(v) > 1e9);
  if (present.every(looksLikeInstant)) return 'datetime';
  const numbers = present.map(numberOf);
  if (numbers.some((n) => n === undefined)) return 'str';
  // Physical quantities are floats even when the examples happen to be whole; counts and numbers are ints.
  const countLike = /(number|count|index|^n[_ ]|avg)/i.test(key);
  return countLike && numbers.every((n) => Number.isInteger(n)) ? 'int' : 'float';
}

/** `Laser voltage` with values like `0.2 V` -> `laser_voltage_v`; the unit, when there is one, ends the name. */
function manifestColumnName(key: string, values: readonly string[]): string {
  const unit = values.map((v) => /^[+-]?[\d.]+(?:[eE][+-]?\d+)?\s*([A-Za-z]+)$/.exec(v.trim())?.[1]).find((u) => u !== undefined);
  const base = snakeName(key);
  return unit ? `${base}_${unit.toLowerCase()}` : base;
}
