// Decides from stat alone (no reading) which raw files a pass stages, walking the raw root and the index side by
// side in path order: an unchanged file costs its stat and one step of each, and neither is held whole.
import type { StagingConfig } from '../config/staging-config.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import { comparePaths } from '../fs/path-order.js';
import type { StagedSource } from '../lake/manifest-index.js';
import type { RejectKind, RejectRecord } from '../lake/reject-records.js';
import type { WorkerTask } from './stage-messages.js';

/** Rejects whose file is staged again though it has not changed: they say nothing wrong with the file. */
const TRIED_AGAIN: ReadonlySet<RejectKind> = new Set(['internal', 'too-large']);

/** What a pass does with the raw files, decided from stat alone. */
export interface Triage {
  /** How many raw files the walk found. */
  readonly files: number;
  /** The files to stage. */
  readonly work: RawFile[];
  /** Files left alone with a reason their event gives (settling, rejected before). */
  readonly skipped: { readonly file: RawFile; readonly reason: string }[];
  /** How many of `skipped` are settling. */
  readonly settling: number;
  /** Files left alone because they are staged and unchanged: only counted (a lake's worth of them on a re-run). */
  readonly unchanged: number;
  /** What the index holds of each file to stage (undefined: a new file), and of each gone run: all a pass looks up. */
  readonly looked: Map<string, StagedSource | undefined>;
  /** Staged runs whose raw file the walk did not find. */
  readonly gone: [string, StagedSource][];
}

/**
 * Triages `files` (in path order) against `staged` (in the same order). A data file removed by hand is not looked
 * for here (validate-manifest finds it; --force stages it again).
 */
export function triageFiles(
  files: Iterable<RawFile>,
  staged: Iterable<[string, StagedSource]>,
  rejects: ReadonlyMap<string, RejectRecord>,
  config: StagingConfig,
  nowMs: number,
): Triage {
  const triage = { files: 0, work: [] as RawFile[], skipped: [] as { file: RawFile; reason: string }[], settling: 0, unchanged: 0, looked: new Map<string, StagedSource | undefined>(), gone: [] as [string, StagedSource][] };
  const settling = `modified less than ${config.settleSeconds} s ago (an instrument may still be writing it); left for the next run`;
  const index = staged[Symbol.iterator]();
  let next = index.next();
  for (const file of files) {
    triage.files++;
    while (next.done !== true && comparePaths(next.value[0], file.relPath) < 0) {
      triage.gone.push(next.value);
      triage.looked.set(...next.value);
      next = index.next();
    }
    let previous: StagedSource | undefined;
    if (next.done !== true && next.value[0] === file.relPath) {
      previous = next.value[1];
      next = index.next();
    }
    // A future mtime (a clock ahead, `touch -d`) is not a file being written: it is staged, with a warning (plan-run).
    const age = nowMs - file.mtimeMs;
    if (age >= 0 && age < config.settleSeconds * 1000) {
      triage.skipped.push({ file, reason: settling });
      triage.settling++;
    } else if (config.force) {
      triage.work.push(file);
      triage.looked.set(file.relPath, previous);
    } else if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) {
      triage.unchanged++;
    } else if (rejectedBefore(rejects.get(file.relPath), file)) {
      triage.skipped.push({ file, reason: 'rejected before and unchanged since (see its reject record)' });
    } else {
      triage.work.push(file);
      triage.looked.set(file.relPath, previous);
    }
  }
  for (; next.done !== true; next = index.next()) {
    triage.gone.push(next.value);
    triage.looked.set(...next.value);
  }
  return triage;
}

/**
 * A file strata itself failed on (error type `internal`), or refused for its size (before big files streamed), is
 * tried again; a file that is bad waits for a change.
 */
function rejectedBefore(rejected: RejectRecord | undefined, file: RawFile): boolean {
  return rejected !== undefined && !TRIED_AGAIN.has(rejected.error_type) && rejected.source_size === file.size && rejected.source_mtime_ms === file.mtimeMs;
}

/**
 * The workers' tasks for the files to stage, with what the index holds of each, and the owners of the run ids
 * that may clash. A run id hashes the lower-cased path: only files whose paths differ by letter case alone
 * (contested) can claim the same one, so only their staged runs are owners.
 */
export function workerTasks(triage: Triage, staged: Iterable<[string, StagedSource]>): { tasks: WorkerTask[]; runOwners: Map<string, string> } {
  const { contested, runOwners } = contestedPaths(triage.work, staged);
  const tasks = triage.work.map((file) => ({ file, previous: triage.looked.get(file.relPath), contested: contested.has(file.relPath) }));
  return { tasks, runOwners };
}

/**
 * The files to stage whose path differs from another one's (to stage or staged) only by letter case: their run ids
 * may clash; and the staged runs among them, by run id. Only the few files to stage are kept by key; the staged
 * sources are read past (only when there is work).
 */
function contestedPaths(work: readonly RawFile[], staged: Iterable<[string, StagedSource]>): { contested: Set<string>; runOwners: Map<string, string> } {
  const byLower = new Map<string, string[]>();
  const runOwners = new Map<string, string>();
  for (const file of work) {
    const key = file.relPath.toLowerCase();
    (byLower.get(key) ?? byLower.set(key, []).get(key)!).push(file.relPath);
  }
  if (byLower.size === 0) return { contested: new Set(), runOwners };
  const owners = new Map<string, string>();
  for (const [source, s] of staged) {
    const same = byLower.get(source.toLowerCase());
    if (same === undefined) continue;
    if (!same.includes(source)) same.push(source);
    owners.set(source, s.runId);
  }
  const contested = new Set([...byLower.values()].filter((paths) => paths.length > 1).flat());
  for (const [source, runId] of owners) if (contested.has(source)) runOwners.set(runId, source);
  return { contested, runOwners };
}
