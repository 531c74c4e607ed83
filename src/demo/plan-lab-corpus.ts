// Plans a generated lab corpus: which days and folders, which procedure and chip each file measures, and its name.
import { LAB_FILE_TEMPLATES, type LabProcedure } from './lab-file-templates.js';
import type { LabChip } from './lab-run-parts.js';
import { LAB_FILE_QUIRKS, type LabFileQuirk } from './render-lab-file.js';
import { seededRandom, type Random } from './seeded-random.js';
import { parseIsoInstant } from '../time/local-time.js';

export interface CorpusPlanOptions {
  readonly files: number;
  readonly seed: number;
  readonly startDate: string;
  readonly days: number;
  readonly chips: readonly LabChip[];
  readonly procedures: readonly LabProcedure[];
  readonly rowsPerFile: readonly [number, number];
  readonly variants: boolean;
  readonly timeZone: string;
}

export interface PlannedDay {
  readonly date: string;
  /** `2025-10-13` or, as some people name them, `Alisson_13_oct`. */
  readonly folder: string;
  /** The lab day in Unix seconds: runs start between these. */
  readonly opensUnix: number;
  readonly closesUnix: number;
  readonly runs: readonly PlannedRun[];
  /** The next free `_n` per procedure, for files added after the planned runs (the bad ones). */
  readonly nextIndex: ReadonlyMap<LabProcedure, number>;
}

export interface PlannedRun {
  readonly proc: LabProcedure;
  readonly fileName: string;
  readonly chip: LabChip;
  readonly rows: number;
  /** The seed the file is rendered from. */
  readonly seed: number;
  readonly quirks: readonly LabFileQuirk[];
}

const SPANISH_MONTHS = ['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sept', 'oct', 'nov', 'dic'];

export function planLabCorpus(options: CorpusPlanOptions): PlannedDay[] {
  const random = seededRandom(options.seed, 0x9a7);
  const days: PlannedDay[] = [];
  let runIndex = 0;
  for (let day = 0; day < options.days; day++) {
    const date = addDays(options.startDate, day);
    const count = Math.floor(((day + 1) * options.files) / options.days) - Math.floor((day * options.files) / options.days);
    const dayChips = [random.pick(options.chips), random.pick(options.chips)];
    const counters = new Map<LabProcedure, number>();
    const runs: PlannedRun[] = [];
    for (let i = 0; i < count; i++, runIndex++) {
      const runRandom = seededRandom(options.seed, 0x7a1, runIndex);
      const proc = runIndex < options.procedures.length ? (options.procedures[runIndex] as LabProcedure) : pickProcedure(runRandom, options.procedures);
      const n = (counters.get(proc) ?? 0) + 1;
      counters.set(proc, n);
      runs.push({
        proc,
        fileName: `${proc}${date}_${n}.csv`,
        chip: runRandom.chance(0.8) ? (dayChips[0] as LabChip) : (dayChips[1] as LabChip),
        rows: runRandom.int(options.rowsPerFile[0], options.rowsPerFile[1]),
        seed: runRandom.int(1, 0x7fffffff),
        quirks: options.variants ? pickQuirks(runRandom, runIndex) : [],
      });
    }
    const group = (dayChips[0] as LabChip).group;
    const folder = random.chance(0.35) ? `${group}_${date.slice(8, 10)}_${SPANISH_MONTHS[Number(date.slice(5, 7)) - 1]}` : date;
    const nextIndex = new Map([...counters].map(([proc, n]) => [proc, n + 1] as const));
    days.push({ date, folder, ...labHours(date, options.timeZone), runs, nextIndex });
  }
  return days;
}

function pickProcedure(random: Random, procedures: readonly LabProcedure[]): LabProcedure {
  return random.weighted(Object.fromEntries(procedures.map((p) => [p, LAB_FILE_TEMPLATES[p].weight])) as Record<LabProcedure, number>);
}

/** The first files carry one quirk each, so even a small corpus has them all; later ones now and then a few. */
function pickQuirks(random: Random, runIndex: number): LabFileQuirk[] {
  const forced = LAB_FILE_QUIRKS[runIndex];
  if (forced) return [forced];
  if (!random.chance(0.25)) return [];
  const start = random.pick([null, null, 'iso-start-offset', 'iso-start-local', 'iso-start-utc'] as const);
  const header = LAB_FILE_QUIRKS.filter((q) => !q.startsWith('iso-') && random.chance(0.3));
  return start ? [...header, start] : header;
}

/** 08:30 to 22:00 wall-clock time in the lab's zone, DST included. */
function labHours(date: string, zone: string): { opensUnix: number; closesUnix: number } {
  const at = (time: string) => (parseIsoInstant(`${date}T${time}`, zone) ?? new Date(`${date}T${time}Z`)).getTime() / 1000;
  return { opensUnix: at('08:30:00'), closesUnix: at('22:00:00') };
}

export function addDays(date: string, days: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
