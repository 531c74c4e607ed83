// The procedures YAML: what each instrument procedure writes, how to type it and where it goes. Loaded once.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { configError } from '../errors.js';

export const VALUE_TYPES = ['float', 'int', 'str', 'bool', 'datetime'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
export type LightRule = 'auto' | 'always' | 'never';

const valueType = z.enum(VALUE_TYPES);
const manifestTarget = z.union([
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'a manifest column is snake_case'),
  z.strictObject({
    column: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a manifest column is snake_case'),
    type: valueType.optional(),
    zero_is_null: z.boolean().optional(),
  }),
]);
const dataColumn = z.strictObject({
  type: valueType,
  required: z.boolean().optional(),
  header: z.string().optional(),
  synonyms: z.array(z.string()).optional(),
});
const section = {
  parameters: z.record(z.string(), valueType).optional(),
  metadata: z.record(z.string(), valueType).optional(),
  manifest: z.record(z.string(), manifestTarget).optional(),
};
const proceduresFile = z.strictObject({
  version: z.literal(1),
  common: z.strictObject(section).optional(),
  procedures: z.record(
    z.string(),
    z.strictObject({
      description: z.string().optional(),
      light: z.enum(['auto', 'always', 'never']).optional(),
      time_column: z.string().optional(),
      plot: z.strictObject({ x: z.string(), y: z.array(z.string()).min(1) }).optional(),
      ...section,
      data: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'a data column is snake_case'), dataColumn),
    }),
  ),
});

export interface DataColumnSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly required: boolean;
  readonly header: string | undefined;
  readonly synonyms: readonly string[];
}

export interface ManifestMapping {
  /** The header key as the instrument writes it (`Laser wavelength`). */
  readonly headerKey: string;
  readonly column: string;
  readonly type: ValueType;
  readonly zeroIsNull: boolean;
}

export interface ProcedureSpec {
  readonly name: string;
  readonly description: string;
  readonly light: LightRule;
  readonly timeColumn: string | undefined;
  /** The data columns `strata serve` draws: x and one or more y. */
  readonly plot: { readonly x: string; readonly y: readonly string[] } | undefined;
  /** Header key -> type, Parameters and Metadata together (common merged in, the procedure wins). */
  readonly headerTypes: ReadonlyMap<string, ValueType>;
  readonly manifest: readonly ManifestMapping[];
  readonly data: readonly DataColumnSpec[];
}

export interface ProcedureCatalog {
  readonly file: string;
  readonly procedures: ReadonlyMap<string, ProcedureSpec>;
  /** Every manifest parameter column any procedure maps, with its type: the open part of the manifest. */
  readonly parameterColumns: readonly { readonly name: string; readonly type: ValueType }[];
}

type ProceduresFile = z.infer<typeof proceduresFile>;

export function loadProcedureCatalog(file: string): ProcedureCatalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configError(`cannot read the procedures YAML ${file}: ${(error as NodeJS.ErrnoException).code ?? error}.`, { file });
  }
  return parseProcedureCatalog(text, file);
}

export function parseProcedureCatalog(text: string, file = '<procedures yaml>'): ProcedureCatalog {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw configError(`the procedures YAML ${file} is not valid YAML: ${(error as Error).message}`, { file });
  }
  const parsed = proceduresFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw configError(`the procedures YAML ${file} is invalid at '${where}': ${issue?.message ?? 'unknown problem'}.`, { file });
  }
  return buildCatalog(parsed.data, file);
}

function buildCatalog(spec: ProceduresFile, file: string): ProcedureCatalog {
  const procedures = new Map<string, ProcedureSpec>();
  const parameterColumns = new Map<string, ValueType>();
  for (const [name, proc] of Object.entries(spec.procedures)) {
    const headerTypes = new Map<string, ValueType>([
      ...Object.entries(spec.common?.parameters ?? {}),
      ...Object.entries(spec.common?.metadata ?? {}),
      ...Object.entries(proc.parameters ?? {}),
      ...Object.entries(proc.metadata ?? {}),
    ]);
    const manifest = Object.entries({ ...spec.common?.manifest, ...proc.manifest }).map(([headerKey, target]) => {
      const t = typeof target === 'string' ? { column: target } : target;
      const type = t.type ?? headerTypes.get(headerKey) ?? 'str';
      const known = parameterColumns.get(t.column);
      if (known !== undefined && known !== type) {
        throw configError(`the procedures YAML ${file} maps manifest column '${t.column}' as both ${known} and ${type}.`, { file });
      }
      parameterColumns.set(t.column, type);
      return { headerKey, column: t.column, type, zeroIsNull: t.zero_is_null ?? false };
    });
    const data = Object.entries(proc.data).map(([col, c]) => ({
      name: col,
      type: c.type,
      required: c.required ?? false,
      header: c.header,
      synonyms: c.synonyms ?? [],
    }));
    procedures.set(name, {
      name,
      description: proc.description ?? name,
      light: proc.light ?? 'auto',
      timeColumn: proc.time_column,
      plot: proc.plot,
      headerTypes,
      manifest,
      data,
    });
  }
  return {
    file,
    procedures,
    parameterColumns: [...parameterColumns].map(([name, type]) => ({ name, type })),
  };
}
