// How an axis names a column: the name and unit the procedures YAML gives it, never guessed from the data.
import type { ProcedureCatalog, ProcedureSpec } from '../schema/procedures-schema.js';

/** `label (unit)` on an axis; the page adds the engineering prefix to the unit (A -> µA). */
export interface ColumnLabel {
  readonly column: string;
  readonly label: string;
  /** As the YAML writes it (`A`, `V`, `degC`); null when it gives none. */
  readonly unit: string | null;
}

/** `I (A)` -> I and A; `Clock` -> Clock and no unit. */
function splitHeader(header: string): { label: string; unit: string | null } {
  const match = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(header);
  return match && match[1] !== '' ? { label: match[1]!, unit: match[2]!.trim() || null } : { label: header, unit: null };
}

/** A data column's label: its instrument header in the YAML (`I (A)`), else its own name without a unit. */
export function dataColumnLabel(column: string, spec: ProcedureSpec | undefined): ColumnLabel {
  const header = spec?.data.find((d) => d.name === column)?.header;
  return { column, ...(header === undefined ? { label: column, unit: null } : splitHeader(header)) };
}

/** Unit suffixes of the YAML's canonical names, as its header comment defines them (snake_case, unit last). */
const NAME_UNITS: Readonly<Record<string, string>> = { a: 'A', v: 'V', w: 'W', s: 's', ms: 'ms', nm: 'nm', c: 'degC', degc: 'degC', hz: 'Hz', ohm: 'ohm' };

/** A manifest parameter column's label: the header key the YAML maps to it (`VG` -> vg_v), with its name's unit. */
export function manifestColumnLabel(column: string, catalog: ProcedureCatalog): ColumnLabel {
  const specs = [catalog.common, ...catalog.procedures.values()];
  const key = specs.flatMap((s) => s.manifest).find((m) => m.column === column)?.headerKeys[0];
  const suffix = /_([a-z]+)$/.exec(column)?.[1];
  return { column, label: key ?? column, unit: (suffix !== undefined ? NAME_UNITS[suffix] : undefined) ?? null };
}
