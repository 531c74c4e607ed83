// The procedures YAML: what each instrument procedure writes, how to type it, where it goes and what it means.
// strata's own shape is checked here; the lab's older shapes are translated into it (foreign-procedures.ts).
import { z } from 'zod';
import { configError } from '../errors.js';
import { checkYaml, parseYamlText, readYamlFile } from './yaml-file.js';
import { translateForeignProcedures } from './foreign-procedures.js';
import { metricDeclarations, type MetricDeclaration } from './metric-declarations.js';
import { plotSection, proceduresFile, summary, type ProceduresDocument, type ValueType } from './procedures-document.js';

export type { ValueType } from './procedures-document.js';

/** How a run's light is known: fixed by the procedure, or read from two manifest columns; unknown without either. */
export type LightRule =
  | { readonly kind: 'always' }
  | { readonly kind: 'never' }
  | { readonly kind: 'columns'; readonly voltage: string; readonly wavelength: string }
  | { readonly kind: 'unknown' };

export interface SummarySpec {
  /** `{proc} sweep`: `{field}` is a manifest field, `{field:seconds}` one formatted. */
  readonly title: string;
  /** The title when the light was off (`Dark {proc}`); the plain title when not given. */
  readonly darkTitle: string | undefined;
  /** Each part is left out when a field it names has no value, or its `when` does not hold. */
  readonly parts: readonly { readonly text: string; readonly when: 'always' | 'lit' | 'dark' }[];
  /** true: `Title (a, b)`; false: `Title a b`. */
  readonly brackets: boolean;
}


export interface DataColumnSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly required: boolean;
  readonly header: string | undefined;
  readonly synonyms: readonly string[];
}

export interface ManifestMapping {
  /** The header keys as the instrument writes them (`Laser wavelength`), the first one present wins. */
  readonly headerKeys: readonly string[];
  readonly column: string;
  readonly type: ValueType;
  readonly zeroIsNull: boolean;
}

/**
 * When a timed run's laser was on, for shading: from a manifest column holding one ON+OFF period, split into
 * half-periods that `phases` names in order; else from a data column of the laser voltage, on where it is above 0.
 */
export interface PlotLight {
  readonly period: { readonly column: string; readonly phases: readonly ('off' | 'on')[] } | undefined;
  readonly laser: string | undefined;
}

/** What `strata serve` draws of a run: x and one or more y, in acquisition order. */
export interface PlotSpec {
  readonly x: string;
  readonly y: readonly string[];
  /** x goes back and forth (a gate or drain sweep): the forward and backward branches are told apart. */
  readonly sweep: boolean;
  readonly light: PlotLight | undefined;
}

export interface ProcedureSpec {
  readonly name: string;
  readonly description: string;
  readonly light: LightRule;
  readonly timeColumn: string | undefined;
  readonly plot: PlotSpec | undefined;
  /** Header key -> type, Parameters and Metadata together (common merged in, the procedure wins). */
  readonly headerTypes: ReadonlyMap<string, ValueType>;
  readonly manifest: readonly ManifestMapping[];
  readonly data: readonly DataColumnSpec[];
  readonly summary: SummarySpec;
  /** The metrics `strata derive` computes from each run, in the YAML's order. */
  readonly metrics: readonly MetricDeclaration[];
}

/** A manifest parameter column: its type, and the range a sound value keeps to. */
export interface ParameterColumnSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly min?: number;
  readonly max?: number;
  readonly above?: number;
  readonly label?: string;
}

export type ProceduresShape = 'strata' | 'design' | 'lab';

export interface ProcedureCatalog {
  readonly file: string;
  readonly shape: ProceduresShape;
  /** One line on what a foreign shape held that strata does not use; null when nothing was left out. */
  readonly note: string | null;
  readonly procedures: ReadonlyMap<string, ProcedureSpec>;
  /** What a procedure the YAML does not know gets: the common parameters, light rule and summary. */
  readonly common: ProcedureSpec;
  /** Every manifest parameter column any procedure maps, with its type: the open part of the manifest. */
  readonly parameterColumns: readonly ParameterColumnSpec[];
}

const WHAT = 'the procedures YAML';

export function loadProcedureCatalog(file: string): ProcedureCatalog {
  return catalogOf(readYamlFile(file, WHAT), file);
}

export function parseProcedureCatalog(text: string, file = '<procedures yaml>'): ProcedureCatalog {
  return catalogOf(parseYamlText(text, file, WHAT), file);
}

function catalogOf(raw: unknown, file: string): ProcedureCatalog {
  const foreign = translateForeignProcedures(raw, file);
  if (foreign === null) return buildCatalog(checkYaml(proceduresFile, raw, file, WHAT), file, 'strata', null);
  const note = foreign.ignored.length > 0 ? `read ${file} as a ${foreign.shape}-shaped procedures YAML; ignored: ${foreign.ignored.join(', ')}` : null;
  return buildCatalog(foreign.document, file, foreign.shape, note);
}

type ProcedureEntry = ProceduresDocument['procedures'][string];
type Target = NonNullable<ProcedureEntry['manifest']>[string];

function buildCatalog(spec: ProceduresDocument, file: string, shape: ProceduresShape, note: string | null): ProcedureCatalog {
  const parameterColumns = new Map<string, ParameterColumnSpec>();
  const build = (name: string, proc: ProcedureEntry): ProcedureSpec => {
    const headerTypes = new Map<string, ValueType>([
      ...Object.entries(spec.common?.parameters ?? {}),
      ...Object.entries(spec.common?.metadata ?? {}),
      ...Object.entries(proc.parameters ?? {}),
      ...Object.entries(proc.metadata ?? {}),
    ]);
    const targets = [...Object.entries(spec.common?.manifest ?? {}), ...Object.entries(proc.manifest ?? {})];
    const manifest = manifestMappings(targets, headerTypes, parameterColumns, file);
    return {
      name,
      description: proc.description ?? name,
      light: lightRule(proc.light, spec.common?.light),
      timeColumn: proc.time_column,
      plot: plotSpec(proc.plot),
      headerTypes,
      manifest,
      data: Object.entries(proc.data).map(([col, c]) => ({
        name: col,
        type: c.type,
        required: c.required ?? false,
        header: c.header,
        synonyms: c.synonyms ?? [],
      })),
      summary: summarySpec(proc.summary ?? spec.common?.summary),
      metrics: metricDeclarations(proc.metrics, {
        file,
        procedure: name,
        dataColumns: new Set(Object.keys(proc.data)),
        manifestColumns: new Set(manifest.map((m) => m.column)),
        dataColumnsOf: (other) => (Object.hasOwn(spec.procedures, other) ? new Set(Object.keys(spec.procedures[other]!.data)) : undefined),
      }),
    };
  };
  const procedures = new Map(Object.entries(spec.procedures).map(([name, proc]) => [name, build(name, proc)] as const));
  const common = build('', { data: {} });
  return { file, shape, note, procedures, common, parameterColumns: [...parameterColumns.values()] };
}

/** Header key -> column pairs grouped by column (several keys may feed one column; a later key of one name wins). */
function manifestMappings(
  targets: readonly (readonly [string, Target])[],
  headerTypes: ReadonlyMap<string, ValueType>,
  columns: Map<string, ParameterColumnSpec>,
  file: string,
): ManifestMapping[] {
  const byKey = new Map(targets);
  const byColumn = new Map<string, { keys: string[]; type: ValueType; zeroIsNull: boolean }>();
  for (const [headerKey, target] of byKey) {
    const t = typeof target === 'string' ? { column: target } : target;
    const type = t.type ?? headerTypes.get(headerKey) ?? 'str';
    const known = columns.get(t.column);
    if (known !== undefined && known.type !== type) {
      throw configError(`${WHAT} ${file} maps manifest column '${t.column}' as both ${known.type} and ${type}.`, { file });
    }
    const range = typeof target === 'string' ? {} : { min: target.min, max: target.max, above: target.above };
    const ranged = Object.fromEntries(Object.entries(range).filter(([, v]) => v !== undefined));
    const label = Object.keys(ranged).length > 0 ? { label: headerKey.toLowerCase() } : {};
    columns.set(t.column, { ...known, ...ranged, ...label, name: t.column, type });
    const entry = byColumn.get(t.column) ?? { keys: [], type, zeroIsNull: false };
    entry.keys.push(headerKey);
    entry.zeroIsNull ||= t.zero_is_null ?? false;
    byColumn.set(t.column, entry);
  }
  return [...byColumn].map(([column, e]) => ({ headerKeys: e.keys, column, type: e.type, zeroIsNull: e.zeroIsNull }));
}

function lightRule(own: ProcedureEntry['light'], common: { voltage: string; wavelength: string } | undefined): LightRule {
  if (own === 'always' || own === 'never') return { kind: own };
  const columns = typeof own === 'object' ? own : common;
  return columns ? { kind: 'columns', ...columns } : { kind: 'unknown' };
}

function plotSpec(raw: z.infer<typeof plotSection> | undefined): PlotSpec | undefined {
  if (raw === undefined) return undefined;
  const l = raw.light;
  const period = l?.period !== undefined && l.phases !== undefined ? { column: l.period, phases: l.phases } : undefined;
  const light = l === undefined ? undefined : { period, laser: l.laser };
  return { x: raw.x, y: raw.y, sweep: raw.sweep ?? false, light };
}

function summarySpec(raw: z.infer<typeof summary> | undefined): SummarySpec {
  return {
    title: raw?.title ?? '{proc}',
    darkTitle: raw?.dark_title,
    parts: (raw?.parts ?? ['{duration_s:seconds}s']).map((p) => (typeof p === 'string' ? { text: p, when: 'always' as const } : p)),
    brackets: raw?.brackets ?? true,
  };
}
