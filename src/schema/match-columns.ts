// Matches the instrument's data columns to the YAML's canonical names: exact, then synonyms, then upper-case.
import type { DataColumnSpec, ValueType } from './procedures-schema.js';

export type MatchTier = 'exact' | 'synonym' | 'uppercase' | 'unknown';

export interface ColumnMatch {
  /** The column name as the instrument wrote it. */
  readonly source: string;
  /** The canonical name it is stored under. */
  readonly name: string;
  readonly type: ValueType;
  readonly tier: MatchTier;
}

export interface ColumnMatching {
  /** One entry per source column, in file order; `unknown` ones are named and typed by inference. */
  readonly columns: readonly ColumnMatch[];
  /** Canonical names declared `required` that no source column matched. */
  readonly missingRequired: readonly string[];
}

/** `Vsd (V)` -> `vsdv`: lower case, no spaces or punctuation. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The name without its unit in brackets: `Id (A)` -> `Id`. */
function withoutUnit(name: string): string {
  return name.replace(/\s*[([][^)\]]*[)\]]\s*$/, '').trim();
}

/** `Power (mW)` -> `power_mw`, the name an unknown column is kept under. */
export function snakeName(name: string): string {
  const snake = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(snake) ? snake : `col_${snake || 'x'}`;
}

type Matcher = (source: string, spec: DataColumnSpec) => boolean;

const TIERS: readonly (readonly [MatchTier, Matcher])[] = [
  ['exact', (source, spec) => [spec.name, spec.header ?? ''].some((n) => n !== '' && normaliseName(n) === normaliseName(source))],
  [
    'synonym',
    (source, spec) => {
      const candidates = new Set([normaliseName(source), normaliseName(withoutUnit(source))]);
      return spec.synonyms.some((s) => candidates.has(normaliseName(s)));
    },
  ],
  [
    'uppercase',
    (source, spec) => {
      const base = withoutUnit(source).toUpperCase().replace(/[^A-Z0-9]/g, '');
      const canonicalBase = (spec.name.split('_')[0] ?? '').toUpperCase();
      return base !== '' && base === canonicalBase;
    },
  ],
];

/** A matching whose unknown columns' types (null) are still to infer: those depend on the file's rows, the rest does not. */
interface NamedMatching {
  readonly columns: readonly (Omit<ColumnMatch, 'type'> & { readonly type: ValueType | null })[];
  readonly missingRequired: readonly string[];
}

/**
 * The matchings made, by specs and column line: a procedure's files mostly share one column line, and matching
 * normalises every name against every spec (a share of a small file's staging). Bounded, as a line read from a
 * file is data.
 */
const named = new WeakMap<readonly DataColumnSpec[], Map<string, NamedMatching>>();
const NAMED_KEPT = 1024;

export function matchColumns(
  sourceColumns: readonly string[],
  specs: readonly DataColumnSpec[],
  inferType: (sourceIndex: number) => ValueType,
): ColumnMatching {
  let bySpecs = named.get(specs);
  if (bySpecs === undefined) named.set(specs, (bySpecs = new Map()));
  const key = sourceColumns.join('\n');
  let matching = bySpecs.get(key);
  if (matching === undefined) {
    if (bySpecs.size >= NAMED_KEPT) bySpecs.clear();
    bySpecs.set(key, (matching = nameColumns(sourceColumns, specs)));
  }
  const columns = matching.columns.map((c, index) => ({ ...c, type: c.type ?? inferType(index) }));
  return { columns, missingRequired: matching.missingRequired };
}

function nameColumns(sourceColumns: readonly string[], specs: readonly DataColumnSpec[]): NamedMatching {
  const assigned = new Map<number, ColumnMatch>();
  const used = new Set<string>();
  for (const [tier, matches] of TIERS) {
    sourceColumns.forEach((source, index) => {
      if (assigned.has(index)) return;
      const spec = specs.find((s) => !used.has(s.name) && matches(source, s));
      if (!spec) return;
      used.add(spec.name);
      assigned.set(index, { source, name: spec.name, type: spec.type, tier });
    });
  }
  const columns = sourceColumns.map((source, index) => {
    const match = assigned.get(index);
    if (match) return match;
    let name = snakeName(source);
    while (used.has(name)) name = `${name}_2`;
    used.add(name);
    return { source, name, type: null, tier: 'unknown' as const };
  });
  const missingRequired = specs.filter((s) => s.required && !used.has(s.name)).map((s) => s.name);
  return { columns, missingRequired };
}
