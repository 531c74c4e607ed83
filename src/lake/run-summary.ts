// The one-line human description of a run, stored in the manifest's `summary` column, from its procedure's YAML
// `summary:` template.
import type { SummarySpec } from '../schema/procedures-schema.js';

type RunFields = Readonly<Record<string, unknown>>;

/** A number as a person writes it: -3, 0.1, 455, 1.25e-6 (four significant digits at most). */
function num(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return String(Number(value.toPrecision(4)));
  return value.toExponential(2).replace(/\.?0+e/, 'e');
}

/** `seconds`: whole seconds from 10 s up (`120`), else as `num` (`3.25`). */
const FORMATS: Readonly<Record<string, (value: number) => string>> = {
  seconds: (s) => (s >= 10 ? String(Math.round(s)) : num(s)),
};

/** A field's value as text, or null when it has none. */
function fieldText(raw: unknown, format: string | undefined): string | null {
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof value === 'number') return Number.isFinite(value) ? (FORMATS[format ?? ''] ?? num)(value) : null;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** A template cut into its text and its `{field}` / `{field:format}` slots (odd places), once per template. */
type Compiled = readonly (string | { readonly name: string; readonly format: string | undefined })[];
const compiled = new Map<string, Compiled>();

function compile(template: string): Compiled {
  let pieces = compiled.get(template);
  if (pieces === undefined) {
    const cut = template.split(/\{([^}:]+)(?::([^}]+))?\}/);
    const out: Compiled[number][] = [];
    for (let i = 0; i < cut.length; i += 3) {
      out.push(cut[i]!);
      if (i + 1 < cut.length) out.push({ name: cut[i + 1]!.trim(), format: cut[i + 2]?.trim() });
    }
    pieces = out;
    compiled.set(template, pieces);
  }
  return pieces;
}

/** The template with each `{field}` or `{field:format}` filled in; null when any field has no value. */
function fill(template: string, field: (name: string) => unknown): string | null {
  let text = '';
  for (const piece of compile(template)) {
    if (typeof piece === 'string') text += piece;
    else {
      const value = fieldText(field(piece.name), piece.format);
      if (value === null) return null;
      text += value;
    }
  }
  return text;
}

const WHEN: Readonly<Record<SummarySpec['parts'][number]['when'], (run: RunFields) => boolean>> = {
  always: () => true,
  lit: (run) => run['has_light'] === true,
  dark: (run) => run['has_light'] === false,
};

/** When a procedure says nothing: its name, `Dark` in front when the light was off, and the duration. */
export const PLAIN_SUMMARY: SummarySpec = {
  title: '{proc}',
  darkTitle: 'Dark {proc}',
  parts: [{ text: '{duration_s:seconds}s', when: 'always' }],
  brackets: true,
};

/**
 * One line saying what a run was, by its procedure's template: `It (Vg=-3V, λ=455nm, 120s)`, `Dark It (Vg=-2V, 300s)`,
 * `IVg sweep (Vg=-5 to 5V)`, `LaserCalibration 455nm 0-5V`. Parts whose fields are missing are left out.
 */
export function describeRun(run: RunFields, spec: SummarySpec = PLAIN_SUMMARY): string {
  const proc = typeof run['proc'] === 'string' && run['proc'] !== '' ? run['proc'] : 'run';
  const field = (name: string) => (name === 'proc' ? proc : run[name]);
  const titleTemplate = run['has_light'] === false && spec.darkTitle !== undefined ? spec.darkTitle : spec.title;
  const title = fill(titleTemplate, field) ?? proc;
  const parts = spec.parts.flatMap((part) => {
    if (!WHEN[part.when](run)) return [];
    const text = fill(part.text, field);
    return text === null ? [] : [text];
  });
  if (parts.length === 0) return title;
  return spec.brackets ? `${title} (${parts.join(', ')})` : [title, ...parts].join(' ');
}
