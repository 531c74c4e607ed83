// Translates the procedures YAML of the lab's Python system (the design documents' shape, and the lab's own with its
// ManifestColumnMap) into strata's shape, saying what it left out. Header and column names are kept as written.
import { z } from 'zod';
import { checkYaml } from './yaml-file.js';
import { snakeName } from './match-columns.js';
import type { ProceduresDocument, ValueType } from './procedures-document.js';

export interface ForeignProcedures {
  readonly shape: 'design' | 'lab';
  readonly document: ProceduresDocument;
  /** What the file holds that strata does not use, in words (`Config.requires_chip`). */
  readonly ignored: readonly string[];
}

const TYPE_WORDS: Readonly<Record<string, ValueType>> = {
  float: 'float',
  float_no_unit: 'float',
  double: 'float',
  int: 'int',
  integer: 'int',
  str: 'str',
  string: 'str',
  bool: 'bool',
  boolean: 'bool',
  datetime: 'datetime',
};
const typeWord = z.string().refine((t) => Object.hasOwn(TYPE_WORDS, t), { message: `expected one of ${Object.keys(TYPE_WORDS).join(', ')}` });
const typed = z.record(z.string(), typeWord).nullish();
const foreignFile = z.looseObject({
  ManifestColumnMap: z.record(z.string(), z.array(z.string())).optional(),
  procedures: z.record(
    z.string(),
    z.looseObject({
      Parameters: typed,
      Metadata: typed,
      Data: z.record(z.string(), z.union([typeWord, z.looseObject({ type: typeWord, required: z.boolean().optional() })])).nullish(),
      Config: z.record(z.string(), z.unknown()).nullish(),
    }),
  ),
});
type ForeignFile = z.infer<typeof foreignFile>;

/** The light rule the lab's `Config.light_detection` names. */
const LIGHT_DETECTION: Readonly<Record<string, 'auto' | 'always' | 'never'>> = {
  standard: 'auto',
  laser_calibration: 'always',
  none: 'never',
};
/** Header keys that are the run's identity or time, never manifest parameter columns. */
const IDENTITY_KEYS = new Set(['Chip group name', 'Chip number', 'Start time']);
const TIME_COLUMN = /^(t|time)\s*[([]s[)\]]$/i;

/** Null when `raw` is not a foreign shape (strata's own, or nothing the lab wrote): strata's checks then apply. */
export function translateForeignProcedures(raw: unknown, file: string): ForeignProcedures | null {
  if (!isForeign(raw)) return null;
  const spec = checkYaml(foreignFile, raw, file, 'the procedures YAML');
  const ignored = new Set<string>();
  for (const key of Object.keys(spec)) if (key !== 'procedures' && key !== 'ManifestColumnMap') ignored.add(key);
  const shape = spec.ManifestColumnMap ? 'lab' : 'design';
  const columnOf = manifestNamer(spec);
  const typesOf = (p: ForeignFile['procedures'][string]) => ({ ...read(p.Parameters), ...read(p.Metadata) });
  const procedures: ProceduresDocument['procedures'] = {};
  const seen = new Map<string, { type: ValueType; count: number }>();
  for (const [name, proc] of Object.entries(spec.procedures)) {
    for (const key of Object.keys(proc)) if (!['Parameters', 'Metadata', 'Data', 'Config'].includes(key)) ignored.add(`${name}.${key}`);
    for (const [key, value] of Object.entries(proc.Config ?? {})) {
      if (key !== 'light_detection' || typeof value !== 'string' || !Object.hasOwn(LIGHT_DETECTION, value)) ignored.add(`Config.${key}`);
    }
    const types = typesOf(proc);
    for (const [key, type] of Object.entries(types)) seen.set(key, { type, count: (seen.get(key)?.count ?? 0) + 1 });
    const data = Object.fromEntries(
      Object.entries(proc.Data ?? {}).map(([column, c]) => {
        const { type, required } = typeof c === 'string' ? { type: c, required: false } : c;
        return [column, { type: TYPE_WORDS[type] ?? 'float', required: required ?? false, header: column }];
      }),
    );
    const detection = proc.Config?.['light_detection'];
    const timeColumn = Object.keys(data).find((c) => TIME_COLUMN.test(c.trim()));
    procedures[name] = {
      parameters: read(proc.Parameters),
      metadata: read(proc.Metadata),
      manifest: manifestOf(Object.keys(types), columnOf, types),
      data,
      ...(typeof detection === 'string' && Object.hasOwn(LIGHT_DETECTION, detection) ? { light: LIGHT_DETECTION[detection] } : {}),
      ...(timeColumn ? { time_column: timeColumn } : {}),
    };
  }
  // What most procedures write is common: a procedure the file does not know still gets it (laser, chip).
  const half = Object.keys(spec.procedures).length / 2;
  const commonTypes = Object.fromEntries([...seen].filter(([, s]) => s.count > half).map(([key, s]) => [key, s.type]));
  const commonManifest = manifestOf(Object.keys(commonTypes), columnOf, commonTypes);
  const voltage = commonManifest['Laser voltage']?.column;
  const wavelength = commonManifest['Laser wavelength']?.column;
  const document: ProceduresDocument = {
    version: 1,
    common: {
      parameters: commonTypes,
      manifest: commonManifest,
      ...(voltage && wavelength ? { light: { voltage, wavelength } } : {}),
      summary: {
        title: '{proc}',
        dark_title: 'Dark {proc}',
        parts: [{ text: `λ={${wavelength ?? 'laser_wavelength'}}nm`, when: 'lit' }, '{duration_s:seconds}s'],
      },
    },
    procedures,
  };
  return { shape, document, ignored: [...ignored] };
}

function isForeign(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || Object.hasOwn(raw, 'version')) return false;
  const procedures = (raw as { procedures?: unknown }).procedures;
  if (typeof procedures !== 'object' || procedures === null) return false;
  return Object.values(procedures).some(
    (p) => typeof p === 'object' && p !== null && ['Parameters', 'Metadata', 'Data'].some((k) => Object.hasOwn(p, k)),
  );
}

function read(section: Readonly<Record<string, string>> | null | undefined): Record<string, ValueType> {
  return Object.fromEntries(Object.entries(section ?? {}).map(([key, word]) => [key, TYPE_WORDS[word] ?? 'str']));
}

/**
 * The manifest column of a header key: the lab's ManifestColumnMap when it lists the key (lower-cased,
 * `laser_voltage_V` -> `laser_voltage_v`), else the key in snake_case (`Laser voltage` -> `laser_voltage`).
 */
function manifestNamer(spec: ForeignFile): (key: string) => string {
  const byAlias = new Map<string, string>();
  for (const [column, aliases] of Object.entries(spec.ManifestColumnMap ?? {})) {
    for (const alias of aliases) if (!byAlias.has(alias)) byAlias.set(alias, column.toLowerCase());
  }
  return (key) => byAlias.get(key) ?? snakeName(key);
}

type Manifest = Record<string, { column: string; type: ValueType; zero_is_null?: boolean }>;

function manifestOf(keys: readonly string[], columnOf: (key: string) => string, types: Readonly<Record<string, ValueType>>): Manifest {
  const manifest: Manifest = {};
  for (const key of keys) {
    if (IDENTITY_KEYS.has(key)) continue;
    // The lab writes a wavelength of 0 when no laser is fitted.
    manifest[key] = { column: columnOf(key), type: types[key] ?? 'str', ...(key === 'Laser wavelength' ? { zero_is_null: true } : {}) };
  }
  return manifest;
}
