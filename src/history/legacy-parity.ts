// Parity with the old Python system: the same runs, in the same order, with the same proc, light, chip and start time.
import path from 'node:path';
import { RUN_ORDER, type ManifestHandle } from './manifest-query.js';
import { fileIdxFromName, type LegacyList, type LegacyRun } from './legacy-files.js';

/** A run as strata staged it, from the manifest. */
export interface StagedRun {
  readonly sourceFile: string;
  readonly proc: string;
  readonly chip: string | null;
  readonly hasLight: boolean | null;
  readonly startSeconds: number | null;
}

/**
 * `difference`: strata and the old system disagree (exit 1). `old-fault`: something the old system got wrong that
 * strata does on purpose differently (a run listed twice, the lab's `other` group), said so but not a difference.
 */
export type ParityFinding =
  | { readonly kind: 'difference'; readonly what: 'missing' | 'extra' | 'proc' | 'light' | 'chip' | 'start' | 'order'; readonly file: string; readonly message: string }
  | { readonly kind: 'old-fault'; readonly what: 'listed-twice' | 'group-other'; readonly file: string; readonly message: string };

export interface ParityReport {
  readonly compared: number;
  /** Runs the old system listed whose raw file is not among the files strata staged (nor under --raw-root). */
  readonly absent: number;
  readonly findings: readonly ParityFinding[];
}

/** Start times closer than this are the same (the old system kept float seconds). */
const START_TOLERANCE_S = 0.001;

export async function readStagedRuns(manifest: ManifestHandle, localTz: string): Promise<StagedRun[]> {
  const rows = await manifest.conn.all<{ source_file: string; proc: string; chip_name: string | null; has_light: boolean | null; start_s: number | null }>(
    `SELECT source_file, proc, CASE WHEN chip_number IS NULL OR chip_group IS NULL THEN NULL ELSE chip_group || CAST(chip_number AS VARCHAR) END AS chip_name,
       has_light, epoch(start_time_utc) AS start_s FROM ${manifest.source} ORDER BY ${RUN_ORDER}`,
    { tz: localTz },
  );
  return rows.map((r) => ({ sourceFile: r.source_file, proc: r.proc, chip: r.chip_name, hasLight: r.has_light, startSeconds: r.start_s }));
}

const normal = (file: string) => file.replaceAll('\\', '/').toLowerCase();

/** Finds the staged run an old path names: the old system wrote `raw_data/<day>/<file>`, strata paths relative to the raw root. */
function resolver(staged: readonly StagedRun[]): (legacyPath: string) => StagedRun | undefined {
  const byPath = new Map(staged.map((r) => [normal(r.sourceFile), r]));
  return (legacyPath) => {
    const parts = normal(legacyPath).split('/');
    for (let i = 0; i < parts.length; i++) {
      const hit = byPath.get(parts.slice(i).join('/'));
      if (hit) return hit;
    }
    return undefined;
  };
}

const chipOf = (run: LegacyRun) => (run.chipNumber === null || run.chipGroup === null ? null : `${run.chipGroup}${run.chipNumber}`);
const light = (value: boolean | null) => (value === true ? 'with light' : value === false ? 'dark' : 'light unknown');
const chipWords = (chip: string | null) => chip ?? 'no chip';
const clock = (seconds: number | null) => (seconds === null ? 'no start time' : new Date(Math.round(seconds * 1000)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));

function compareRun(old: LegacyRun, run: StagedRun): ParityFinding[] {
  const file = run.sourceFile;
  const out: ParityFinding[] = [];
  if (old.proc !== null && old.proc.toLowerCase() !== run.proc.toLowerCase()) {
    out.push({ kind: 'difference', what: 'proc', file, message: `${file}: the old system says it is a ${old.proc} run, strata says ${run.proc} (${old.where})` });
  }
  if (old.hasLight !== run.hasLight) {
    out.push({ kind: 'difference', what: 'light', file, message: `${file}: the old system says ${light(old.hasLight)}, strata says ${light(run.hasLight)} (${old.where})` });
  }
  const oldChip = chipOf(old);
  if ((oldChip ?? '').toLowerCase() !== (run.chip ?? '').toLowerCase()) {
    const sameNumber = old.chipNumber !== null && run.chip !== null && run.chip.endsWith(String(old.chipNumber));
    const typedOther = sameNumber && (old.chipGroup?.toLowerCase() === 'other' || run.chip?.toLowerCase().startsWith('other'));
    if (typedOther && old.chipGroup?.toLowerCase() === 'other') {
      out.push({ kind: 'old-fault', what: 'group-other', file, message: `${file}: its header types the chip group as "other"; the old system kept other${old.chipNumber}, strata files it as ${run.chip} (the lab's chip parameters)` });
    } else if (typedOther) {
      out.push({
        kind: 'difference', what: 'chip', file,
        message: `${file}: its header types the chip group as "other", so strata filed it as ${run.chip}, but the old system listed it under ${oldChip}; ` +
          `the lab files these under ${oldChip}: stage with --chip-params naming chip ${old.chipNumber}'s group (${old.where})`,
      });
    } else {
      out.push({ kind: 'difference', what: 'chip', file, message: `${file}: the old system says chip ${chipWords(oldChip)}, strata says ${chipWords(run.chip)} (${old.where})` });
    }
  }
  if (old.chipGroup?.toLowerCase() === 'other' && (oldChip ?? '').toLowerCase() === (run.chip ?? '').toLowerCase()) {
    out.push({
      kind: 'old-fault', what: 'group-other', file,
      message: `${file}: its header types the chip group as "other"; both systems filed it as ${run.chip}. If it belongs to another group's chip ${old.chipNumber}, stage with --chip-params`,
    });
  }
  if ((old.startSeconds === null) !== (run.startSeconds === null) || (old.startSeconds !== null && run.startSeconds !== null && Math.abs(old.startSeconds - run.startSeconds) > START_TOLERANCE_S)) {
    const apart = old.startSeconds !== null && run.startSeconds !== null ? ` (${Math.abs(old.startSeconds - run.startSeconds).toFixed(3)} s apart)` : '';
    out.push({ kind: 'difference', what: 'start', file, message: `${file}: the old system says it started ${clock(old.startSeconds)}, strata says ${clock(run.startSeconds)}${apart} (${old.where})` });
  }
  return out;
}

/** Each out-of-place pair once: walking the old order, a run strata puts elsewhere is swapped back and reported. */
function compareOrder(chip: string, oldOrder: readonly string[], newOrder: readonly string[], origin: string): ParityFinding[] {
  const common = new Set(oldOrder.filter((f) => newOrder.includes(f)));
  const old = oldOrder.filter((f) => common.has(f));
  const fresh = newOrder.filter((f) => common.has(f));
  const out: ParityFinding[] = [];
  for (let i = 0; i < old.length; i++) {
    if (old[i] === fresh[i]) continue;
    const j = old.indexOf(fresh[i]!, i + 1);
    out.push({
      kind: 'difference', what: 'order', file: old[i]!,
      message: `${chip}: ${path.posix.basename(old[i]!)} and ${path.posix.basename(fresh[i]!)} are in the opposite order: the old system lists ${path.posix.basename(old[i]!)} first (${origin} places ${i + 1} and ${j + 1}), strata ${path.posix.basename(fresh[i]!)}`,
    });
    [old[i], old[j]] = [old[j]!, old[i]!];
  }
  return out;
}

export interface ParityInput {
  readonly staged: readonly StagedRun[];
  /** Old lists in their order: histories per chip, or metadata rows. */
  readonly lists: readonly LegacyList[];
  /** `histories`: each list is a chip's full history, so a staged run of that chip it lacks is missing from it. */
  readonly mode: 'histories' | 'metadata';
  /** Whether a path the old system names exists under the raw root (a raw file strata should have staged). */
  readonly rawFileExists: (legacyPath: string) => boolean;
}

/** Compares strata's staged runs with the old system's lists; only raw files present are compared. */
export function compareWithLegacy(input: ParityInput): ParityReport {
  const find = resolver(input.staged);
  const findings: ParityFinding[] = [];
  let compared = 0;
  let absent = 0;
  const byChip = new Map<string, StagedRun[]>();
  for (const run of input.staged) if (run.chip !== null) byChip.set(run.chip.toLowerCase(), [...(byChip.get(run.chip.toLowerCase()) ?? []), run]);
  const seenIn = new Map<StagedRun, LegacyRun>();
  for (const list of input.lists) {
    const listed: string[] = [];
    const inList = new Map<StagedRun, LegacyRun>();
    for (const old of list.runs) {
      const run = find(old.sourceFile);
      if (!run) {
        if (input.rawFileExists(old.sourceFile)) {
          findings.push({ kind: 'difference', what: 'missing', file: old.sourceFile, message: `${old.sourceFile}: the old system lists it${list.chip ? ` in ${list.chip}'s history` : ''}, strata has not staged it (${old.where})` });
        } else absent++;
        continue;
      }
      const first = input.mode === 'metadata' ? seenIn.get(run) : inList.get(run);
      if (first) {
        const folders = first.dayFolder !== old.dayFolder ? ` (day folders ${first.dayFolder} and ${old.dayFolder} both name it)` : '';
        findings.push({ kind: 'old-fault', what: 'listed-twice', file: run.sourceFile, message: `${run.sourceFile}: the old system listed this run twice${list.chip ? ` in ${list.chip}'s history` : ''}${folders}; strata keeps one run` });
        continue;
      }
      seenIn.set(run, old);
      inList.set(run, old);
      listed.push(run.sourceFile);
      compared++;
      findings.push(...compareRun(old, run));
    }
    if (input.mode === 'histories' && list.chip !== null) {
      const mine = byChip.get(list.chip.toLowerCase()) ?? [];
      for (const run of mine.filter((r) => !listed.includes(r.sourceFile))) {
        findings.push({ kind: 'difference', what: 'extra', file: run.sourceFile, message: `${list.chip}: strata has ${run.sourceFile} (${run.proc}, ${clock(run.startSeconds)}), the old history does not list it (${list.file})` });
      }
      const sameChip = listed.filter((f) => mine.some((r) => r.sourceFile === f));
      findings.push(...compareOrder(list.chip, sameChip, mine.map((r) => r.sourceFile), 'its lines'));
    }
  }
  if (input.mode === 'metadata') findings.push(...metadataOrder(seenIn, byChip));
  return { compared, absent, findings };
}

/** From metadata, the old system's history of a chip was its rows by start time, then file number. */
function metadataOrder(seenIn: ReadonlyMap<StagedRun, LegacyRun>, byChip: ReadonlyMap<string, StagedRun[]>): ParityFinding[] {
  const out: ParityFinding[] = [];
  for (const [chip, runs] of byChip) {
    const olds = runs.filter((r) => seenIn.has(r) && chipOf(seenIn.get(r)!)?.toLowerCase() === chip);
    const oldOrder = [...olds].sort((a, b) => {
      const x = seenIn.get(a)!;
      const y = seenIn.get(b)!;
      return (x.startSeconds ?? 0) - (y.startSeconds ?? 0) || (x.fileIdx ?? fileIdxFromName(a.sourceFile) ?? 0) - (y.fileIdx ?? fileIdxFromName(b.sourceFile) ?? 0);
    });
    out.push(...compareOrder(runs[0]!.chip!, oldOrder.map((r) => r.sourceFile), olds.map((r) => r.sourceFile), 'start-time ranks'));
  }
  return out;
}
