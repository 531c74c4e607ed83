// `strata stage --watch`: a resident stager. It walks the whole raw root at its start and now and then, and in between
// only the folders where the file system said something changed or where a file it saw is due to settle (the whole
// root every poll interval where the file system cannot say): a pass costs what arrives, not the size of the raw
// root. It keeps its workers warm, stages each file once it has settled and appends its run to the manifest at the
// end of every pass. When `signal` aborts (SIGINT, SIGTERM) it finishes the files in hand, records them, and returns.
import type { StagingConfig } from '../config/staging-config.js';
import { walkRawFolders, type RawFile } from '../discover/discover-raw-files.js';
import { WHOLE_WALK_WATCHED_MS, walkSchedule } from '../discover/walk-schedule.js';
import { wakeOnChange } from '../discover/wake-on-change.js';
import { openStageSession, type StageOptions, type StageSummary } from './stage-raw-files.js';

export interface WatchOptions extends StageOptions {
  /** Aborted to stop: the files in hand are finished and recorded first. */
  readonly signal: AbortSignal;
  /**
   * How often the whole raw root is walked (default: 60,000 ms where the file system reports changes, which are
   * walked as they come; else 2,000 ms).
   */
  readonly pollMs?: number;
  /** How often a status is reported (default 10,000 ms). */
  readonly statusMs?: number;
  readonly onStatus?: (status: WatchStatus) => void;
}

/** What the watcher did since its last status, and what waits. */
export interface WatchStatus {
  readonly at: string;
  readonly staged: number;
  readonly rejected: number;
  /** Files seen that are still being written (modified within the settle window): staged once they settle. */
  readonly waiting: number;
  /** The longest time a file took from settling to its run being in the manifest, in seconds (null: none staged). */
  readonly lagSeconds: number | null;
  readonly passes: number;
}

export interface WatchSummary extends Omit<StageSummary, 'files' | 'settling'> {
  readonly passes: number;
}

export async function watchRawFiles(config: StagingConfig, options: WatchOptions): Promise<WatchSummary> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const statusMs = options.statusMs ?? 10_000;
  const session = await openStageSession(config, { ...options, resident: true });
  const wake = wakeOnChange(config.rawRoot);
  await wake.ready; // a file that arrives during the first walk wakes the next
  const schedule = walkSchedule(options.pollMs ?? (wake.watching() ? WHOLE_WALK_WATCHED_MS : 2000));
  const totals = { ok: 0, skipped: 0, rejected: 0, rows: 0, bytes: 0, passes: 0 };
  const moved: { from: string; to: string }[] = [];
  const rejects: { source_file: string; error: string }[] = [];
  let gone = 0;
  let interval = { staged: 0, rejected: 0, lagMs: null as number | null, passes: 0 };
  let lastStatus = now().getTime();
  try {
    while (!options.signal.aborted) {
      const walkedAt = now().getTime();
      const folders = schedule.due(walkedAt, wake.takeChangedFolders());
      if (folders !== undefined) {
        // Only the files not yet settled are kept from the walk: they make their folders due again.
        const unsettled: RawFile[] = [];
        const walk = walkRawFolders(config.rawRoot, folders, { inFlightPrefixes: config.inFlightPrefixes });
        const { waits, ...pass } = await session.pass(noting(walk, (file) => {
          if (file.mtimeMs + config.settleSeconds * 1000 > walkedAt) unsettled.push(file);
        }), folders);
        schedule.walked(walkedAt, folders, unsettled, config.settleSeconds);
        totals.ok += pass.ok;
        totals.skipped += pass.skipped;
        totals.rejected += pass.rejected;
        totals.rows += pass.rows;
        totals.bytes += pass.bytes;
        totals.passes++;
        moved.push(...pass.moved);
        rejects.push(...pass.rejects);
        // A whole walk says which staged runs' files are gone; a walk of some folders, only of theirs.
        if (folders.includes('')) gone = pass.gone;
        interval = {
          staged: interval.staged + pass.ok,
          rejected: interval.rejected + pass.rejected,
          lagMs: waits.length === 0 ? interval.lagMs : Math.max(interval.lagMs ?? 0, ...waits),
          passes: interval.passes + 1,
        };
      }
      const at = now().getTime();
      if (at - lastStatus >= statusMs) {
        options.onStatus?.({
          at: new Date(at).toISOString(),
          staged: interval.staged,
          rejected: interval.rejected,
          waiting: schedule.waiting(),
          lagSeconds: interval.lagMs === null ? null : Math.round(interval.lagMs) / 1000,
          passes: interval.passes,
        });
        interval = { staged: 0, rejected: 0, lagMs: null, passes: 0 };
        lastStatus = at;
      }
      await wake.wait(Math.min(schedule.untilDue(at), Math.max(0, lastStatus + statusMs - at)), options.signal);
    }
  } catch (error) {
    wake.close();
    await session.abort();
    throw error;
  }
  wake.close();
  const closed = await session.close();
  return { ...totals, ...closed, moved, rejects, gone, seconds: (performance.now() - started) / 1000 };
}


function* noting(files: Iterable<RawFile>, note: (file: RawFile) => void): Generator<RawFile> {
  for (const file of files) {
    note(file);
    yield file;
  }
}
