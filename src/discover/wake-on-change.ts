// Waking a resident stager or discoverer: when the file system says something under the raw root changed
// (@parcel/watcher: inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows), and when a file seen still
// being written is about to settle.
//
// Not node's fs.watch(root, { recursive: true }): on Linux, Node 20 builds it in JavaScript with a watcher and a
// stat of every file, and holds them. Measured on 50,000 files in 50 folders: fs.watch took 2.3 s of the main thread
// and 135 MB of resident memory, @parcel/watcher 0.38 s on its own thread and 10.5 MB (one inotify watch per
// folder); chokidar 4 took one inotify watch and 10 KB per file. A resident watcher's memory grew with its raw root.
import type { AsyncSubscription } from '@parcel/watcher';
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
 * Wakes the watcher when something under `root` changes, so a new file is seen at once rather than at the next
 * poll; where the platform cannot watch a tree (or `root` is undefined: nothing to watch), polling alone does the
 * work. `ready` resolves once the watch is in place (or has failed).
 */
export function wakeOnChange(root: string | undefined): Wake & { readonly ready: Promise<void> } {
  let wakeUp: (() => void) | undefined;
  let changed = false;
  let rootChanged = false;
  let closed = false;
  const noticed = () => {
    changed = true;
    rootChanged = true;
    // A file being written fires many events: the pass they wake comes a moment later, for all of them.
    if (wakeUp !== undefined) setTimeout(wakeUp, GATHER_EVENTS_MS);
  };
  const subscription: Promise<AsyncSubscription | undefined> =
    root === undefined
      ? Promise.resolve(undefined)
      : import('@parcel/watcher')
          // An error (the root itself removed) ends the events: the poll goes on.
          .then(({ subscribe }) => subscribe(root, (error) => { if (error === null) noticed(); }))
          .then((subscribed) => {
            if (closed) void subscribed.unsubscribe().catch(() => {});
            return closed ? undefined : subscribed;
          })
          .catch(() => undefined);
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
    ready: subscription.then(() => undefined),
    close() {
      closed = true;
      void subscription.then((subscribed) => subscribed?.unsubscribe()).catch(() => {});
    },
  };
}
