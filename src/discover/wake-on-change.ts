// Waking a resident stager or discoverer: when the file system says something under the raw root changed
// (inotify on Linux, through fs.watch), and when a file seen still being written is about to settle.
import { watch, type FSWatcher } from 'node:fs';
import type { RawFile } from './discover-raw-files.js';

/** Wakes when the root changes or the time runs out, whichever comes first. */
export interface Wake {
  wait(ms: number, signal: AbortSignal): Promise<void>;
  /** Wakes a wait now (another source of work: a PostgreSQL notification). */
  now(): void;
  /**
   * Whether the file system said something under the root changed since the last call: a walk is due. (False where
   * the platform cannot watch a tree: there, walks come at the poll interval.)
   */
  takeRootChange(): boolean;
  close(): void;
}

/** Milliseconds until the first file still settling has settled (a pass then stages it); Infinity when none is. */
export function untilNextSettles(files: readonly RawFile[], settleSeconds: number, nowMs: number): number {
  let next = Infinity;
  for (const file of files) {
    const settlesAt = file.mtimeMs + settleSeconds * 1000;
    if (settlesAt > nowMs) next = Math.min(next, settlesAt - nowMs + 1);
  }
  return next;
}

/**
 * How long after the file system's first word of a change the walk starts, so that the events of one copy or move
 * wake one walk. Short, as it is part of every file's latency from arrival: a file still being written is not staged
 * before it has settled anyway.
 */
const GATHER_EVENTS_MS = 20;

/**
 * Wakes the watcher when something under `root` changes (inotify on Linux, through fs.watch), so a new file is
 * seen at once rather than at the next poll; where the platform cannot watch a tree, polling alone does the work.
 */
export function wakeOnChange(root: string): Wake {
  let wakeUp: (() => void) | undefined;
  let changed = false;
  let rootChanged = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(root, { recursive: true, persistent: false }, () => {
      changed = true;
      rootChanged = true;
      // A file being written fires many events: the pass they wake comes a moment later, for all of them.
      if (wakeUp !== undefined) setTimeout(wakeUp, GATHER_EVENTS_MS);
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return {
    wait(ms, signal) {
      if (changed || signal.aborted) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wakeUp = undefined;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeUp = done;
        signal.addEventListener('abort', done);
      });
    },
    now() {
      changed = true;
      wakeUp?.();
    },
    takeRootChange() {
      const was = rootChanged;
      rootChanged = false;
      return was;
    },
    close() {
      watcher?.close();
    },
  };
}
