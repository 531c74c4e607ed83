// Who and when a run is: chip identity, file index, and the partition date with where it came from.
import path from 'node:path';
import { localDate } from '../time/local-time.js';
import { isCalendarDate } from '../time/calendar-date.js';
import { checkSafeName } from '../fs/safe-name.js';

export interface ChipIdentity {
  readonly chipGroup: string | null;
  readonly chipNumber: number | null;
  readonly chipName: string | null;
}

/** The lab's chip parameters file, as config/chip-params.ts reads it: chip number -> group, notes, procedures. */
export interface ChipParam {
  readonly chipNumber: number;
  /** The group the chip belongs to, title-cased as the lake writes groups (`Alisson`). */
  readonly chipGroup: string | null;
  readonly notes: string | null;
  /** The procedures the chip is measured with; null when the file does not say. */
  readonly expectedProcs: readonly string[] | null;
}

export interface ChipParams {
  readonly file: string;
  readonly chips: ReadonlyMap<number, ChipParam>;
}

/** Texts title-cased so far: a lab has few chip groups, and every run's is title-cased twice (worker, row check). */
const titled = new Map<string, string>();

/** `alisson` -> `Alisson`, `DE LA CRUZ` -> `De La Cruz`. */
export function titleCase(text: string): string {
  let out = titled.get(text);
  if (out === undefined) {
    out = text.trim().toLowerCase().replace(/(^|[\s_-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
    if (titled.size >= 1024) titled.clear();
    titled.set(text, out);
  }
  return out;
}

/**
 * Chip identity from the header parameters; the file name is only a fallback (`Alisson67_It_3.csv`),
 * and a name that starts with a procedure (`It2025-09-04_11.csv`) names no chip.
 */
export function chipIdentity(
  parameters: ReadonlyMap<string, string>,
  fileName: string,
  procedureNames: { has(name: string): boolean },
): ChipIdentity {
  const group = parameters.get('Chip group name')?.trim() || null;
  const number = chipNumberOf(parameters.get('Chip number'));
  if (group !== null || number !== null) return chipNamed(group, number);
  const fromName = /^([A-Za-z]+)[_-]?(\d+)(?=[_\-.])/.exec(path.basename(fileName));
  if (fromName && !procedureNames.has(fromName[1] ?? '')) return chipNamed(fromName[1] ?? null, Number(fromName[2]));
  return chipNamed(null, null);
}

/** The header's chip number when it is one: digits, and small enough to be read exactly (2^53). */
function chipNumberOf(text: string | undefined): number | null {
  const digits = text?.trim();
  if (digits === undefined || !/^\d+$/.test(digits)) return null;
  const number = Number(digits);
  return Number.isSafeInteger(number) ? number : null;
}

/**
 * The warning for a chip number of digits too large to be read exactly: the file is staged with no chip number, as
 * for every other chip-number problem (header-checks.ts says those).
 */
export function chipNumberWarning(parameters: ReadonlyMap<string, string>): string | null {
  const text = parameters.get('Chip number')?.trim();
  if (text === undefined || !/^\d+$/.test(text) || chipNumberOf(text) !== null) return null;
  const shown = text.length > 30 ? `${text.slice(0, 30)}…` : text;
  return `'Chip number: ${shown}' is too large to be a chip number (${text.length} digits); the chip number is unknown (the text is kept here)`;
}

/**
 * Why the run's procedure or chip group cannot name a folder or file (`proc=<Proc>/` in the lake,
 * `<Group><Number>_history.csv` in the histories), or null when both can: the one check of a run's names, made
 * where its identity is decided (plan-run.ts). The run id is made of hex digits and the date of digits.
 */
export function unsafeRunName(proc: string, chip: ChipIdentity): string | null {
  const procedure = checkSafeName(proc, "the procedure's name (the last dotted part of '#Procedure:')");
  if (!procedure.ok) return procedure.reason;
  const group = chip.chipGroup === null ? { ok: true as const } : checkSafeName(chip.chipGroup, "the chip group (from 'Chip group name:')");
  return group.ok ? null : group.reason;
}

/**
 * The reject sentence of a file whose run id another file already has: the two paths differ only in letter case
 * and the files start at the same second. The run id is the contract's (the lower-cased path and the start time), so
 * a run keeps its id on a disk that ignores letter case; the two files are one run there, and only one is staged.
 */
export function sameRunSentence(relPath: string, owner: string, runId: string): string {
  return (
    `${relPath}: it would be the same run as ${owner} (run id ${runId}), which is staged: the two paths differ only in letter case ` +
    `and the files have the same start time, and a run id is made of the lower-cased path and the start time (on a disk that ` +
    `ignores letter case, as Windows and macOS disks do, they are one file). If this file is a copy of ${owner}, delete it; ` +
    `if it is another measurement, rename or move one of the two (more than the letter case) and stage again.`
  );
}

/** A chip's identity from its group and number: the group title-cased, the name both together (`Alisson71`). */
export function chipNamed(group: string | null, number: number | null): ChipIdentity {
  const chipGroup = group === null ? null : titleCase(group);
  const chipName = chipGroup !== null && number !== null ? `${chipGroup}${number}` : null;
  return { chipGroup, chipNumber: number, chipName };
}

/** The trailing number of the file name: `It2025-09-04_11.csv` -> 11. */
export function fileIndex(fileName: string): number | null {
  const match = /_(\d+)\.[^.]+$/.exec(path.basename(fileName));
  return match ? Number(match[1]) : null;
}

export type DateOrigin = 'meta' | 'path' | 'mtime';

/** The run's local calendar date: from the start time, else a date in the path, else the file's mtime. */
export function partitionDate(
  startTimeUtc: Date | null,
  relPath: string,
  mtimeMs: number,
  zone: string,
): { readonly dateLocal: string; readonly dateOrigin: DateOrigin } {
  if (startTimeUtc) return { dateLocal: localDate(startTimeUtc, zone), dateOrigin: 'meta' };
  const fromPath = dateInPath(relPath);
  if (fromPath) return { dateLocal: fromPath, dateOrigin: 'path' };
  return { dateLocal: localDate(new Date(mtimeMs), zone), dateOrigin: 'mtime' };
}

/** `2025-10-13` or `20251013` anywhere in the path, if it is a real calendar date. */
export function dateInPath(relPath: string): string | null {
  for (const match of relPath.matchAll(/(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)/g)) {
    const iso = `${match[1]}-${match[2]}-${match[3]}`;
    if (isCalendarDate(iso)) return iso;
  }
  return null;
}

/**
 * The chip as the chip parameters file declares it: a header whose group disagrees (or is missing) is filed under the
 * declared group, with a warning saying so.
 */
export function declaredChip(chip: ChipIdentity, params: ChipParams | undefined): { readonly chip: ChipIdentity; readonly warning: string | null } {
  const declared = chip.chipNumber === null ? undefined : params?.chips.get(chip.chipNumber);
  if (declared?.chipGroup == null || declared.chipGroup === chip.chipGroup) return { chip, warning: null };
  const filed = chipNamed(declared.chipGroup, chip.chipNumber);
  const said = chip.chipGroup === null ? 'no chip group' : `chip group '${chip.chipGroup}'`;
  return {
    chip: filed,
    warning: `the header says ${said} for chip ${chip.chipNumber}, ${params?.file} says '${declared.chipGroup}': filed under ${filed.chipName}`,
  };
}
