// Renders one PyMeasure-style instrument file to text, faithfully or with the header quirks other setups produce.
import { LAB_FILE_TEMPLATES, COLUMN_SPELLINGS, type LabProcedure } from './lab-file-templates.js';
import { deviceModel } from './lab-measurement-series.js';
import type { HeaderEntry, LabChip } from './lab-run-parts.js';
import { pythonFloat } from './python-number-format.js';
import { seededRandom, type Random } from './seeded-random.js';
import { localDate, localTime } from '../time/local-time.js';

/**
 * Departures from what the lab's instruments write (CRLF, `#\tKey: value`, Parameters first, Unix start times)
 * that staging must accept all the same. The `iso-start-*` ones exclude each other; the first listed wins.
 */
export const LAB_FILE_QUIRKS = [
  'space-after-hash',
  'space-indent',
  'lf-line-ends',
  'bom',
  'metadata-first',
  'column-spellings',
  'iso-start-offset',
  'iso-start-local',
  'iso-start-utc',
] as const;
export type LabFileQuirk = (typeof LAB_FILE_QUIRKS)[number];

export interface LabFileSpec {
  readonly proc: LabProcedure;
  /** Same seed, same file. Default 1. */
  readonly seed?: number;
  /** Data rows wanted (default 200); sweeps round to whole voltage steps, LaserCalibration writes 51 (101 from 500 rows). */
  readonly rows?: number;
  /** Default 1760371684.3180444 (2025-10-13 13:08 in Santiago). */
  readonly startTimeUnix?: number;
  /** Default Alisson 67; ignored by procedures without a chip. */
  readonly chip?: LabChip;
  readonly quirks?: readonly LabFileQuirk[];
  /** The zone `iso-start-local` and `iso-start-offset` write wall-clock time in. Default America/Santiago. */
  readonly timeZone?: string;
}

export interface RenderedLabFile {
  readonly text: string;
  readonly proc: LabProcedure;
  /** Header entries in file order, values as written (`0.001 A`). */
  readonly parameters: readonly (readonly [name: string, value: string])[];
  /** Metadata in file order, `Start time` included. */
  readonly metadata: readonly (readonly [name: string, value: string])[];
  /** The data column names as written. */
  readonly columns: readonly string[];
  readonly dataRows: number;
  /** The instant the `Start time` line denotes (ISO forms keep whole seconds, or milliseconds with an offset). */
  readonly startTimeUnix: number;
  /** Last value of the time column for procedures with one, else null. */
  readonly durationS: number | null;
  /** How long the run took: start time + elapsed is the file's mtime. */
  readonly elapsedS: number;
  readonly chipGroup: string | null;
  readonly chipNumber: number | null;
  readonly quirks: readonly LabFileQuirk[];
}

const DEFAULT_CHIP: LabChip = { group: 'Alisson', number: 67 };

/** A device model per chip, so every run of one chip shows the same device. */
function chipDevice(chip: LabChip) {
  let hash = 2166136261;
  for (const char of chip.group) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return deviceModel(seededRandom(hash >>> 0, chip.number));
}

export function renderLabFile(spec: LabFileSpec): RenderedLabFile {
  const template = LAB_FILE_TEMPLATES[spec.proc];
  const seed = spec.seed ?? 1;
  const chip = template.measuresChip ? (spec.chip ?? DEFAULT_CHIP) : null;
  const body = template.build({ random: seededRandom(seed), chip, device: chipDevice(chip ?? DEFAULT_CHIP), rows: Math.max(2, spec.rows ?? 200) });
  const quirks = new Set(spec.quirks ?? []);
  const start = startTime(spec.startTimeUnix ?? 1760371684.3180444, quirks, spec.timeZone ?? 'America/Santiago');
  const metadata = [...body.metadata, { attr: 'start_time', name: 'Start time', value: start.text }];
  const columns = quirks.has('column-spellings') ? respell(body.columns, seededRandom(seed, 1)) : body.columns;
  const text = assemble({ procedureClass: template.procedureClass, parameters: body.parameters, metadata, columns, lines: body.lines }, quirks);
  return {
    text,
    proc: spec.proc,
    parameters: body.parameters.map((e) => [e.name, e.value] as const),
    metadata: metadata.map((e) => [e.name, e.value] as const),
    columns,
    dataRows: body.lines.length,
    startTimeUnix: start.unix,
    durationS: body.durationS,
    elapsedS: body.elapsedS,
    chipGroup: chip?.group ?? null,
    chipNumber: chip?.number ?? null,
    quirks: LAB_FILE_QUIRKS.filter((q) => quirks.has(q)),
  };
}

interface FileParts {
  readonly procedureClass: string;
  readonly parameters: readonly HeaderEntry[];
  readonly metadata: readonly HeaderEntry[];
  readonly columns: readonly string[];
  readonly lines: readonly string[];
}

function assemble(parts: FileParts, quirks: ReadonlySet<LabFileQuirk>): string {
  const hash = quirks.has('space-after-hash') ? '# ' : '#';
  const indent = quirks.has('space-indent') ? '    ' : '\t';
  const section = (title: string, entries: readonly HeaderEntry[]) => [
    `${hash}${title}:`,
    ...entries.map((e) => `${hash}${indent}${e.name}: ${e.value}`),
  ];
  const parameters = section('Parameters', parts.parameters);
  const metadata = section('Metadata', parts.metadata);
  const lines = [
    `${hash}Procedure: ${parts.procedureClass}`,
    ...(quirks.has('metadata-first') ? [...metadata, ...parameters] : [...parameters, ...metadata]),
    `${hash}Data:`,
    parts.columns.join(','),
    ...parts.lines,
  ];
  const eol = quirks.has('lf-line-ends') ? '\n' : '\r\n';
  return `${quirks.has('bom') ? '\uFEFF' : ''}${lines.join(eol)}${eol}`;
}

function respell(columns: readonly string[], random: Random): string[] {
  return columns.map((column) => {
    const spellings = COLUMN_SPELLINGS[column];
    return spellings ? random.pick(spellings) : column;
  });
}

/** The `Start time` text: Unix seconds as Python's time.time() prints them, or one of the ISO-8601 forms. */
function startTime(unix: number, quirks: ReadonlySet<LabFileQuirk>, zone: string): { text: string; unix: number } {
  const seconds = Math.floor(unix);
  const instant = new Date(seconds * 1000);
  if (quirks.has('iso-start-offset')) {
    const millis = Math.floor(unix * 1000) % 1000;
    const offsetMin = Math.round((Date.parse(`${localDate(instant, zone)}T${localTime(instant, zone)}Z`) - instant.getTime()) / 60000);
    const wall = new Date((seconds + offsetMin * 60) * 1000).toISOString().slice(0, 19);
    const sign = offsetMin < 0 ? '-' : '+';
    const offset = `${sign}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
    return { text: `${wall}.${String(millis).padStart(3, '0')}${offset}`, unix: seconds + millis / 1000 };
  }
  if (quirks.has('iso-start-local')) return { text: `${localDate(instant, zone)}T${localTime(instant, zone)}`, unix: seconds };
  if (quirks.has('iso-start-utc')) return { text: `${instant.toISOString().slice(0, 19)}Z`, unix: seconds };
  return { text: pythonFloat(unix), unix };
}
