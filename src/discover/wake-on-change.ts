// Waking a resident stager or discoverer: when the file system says something under the raw root changed
// (@parcel/watcher: inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows), and when a file seen still
// being written is about to settle.
//
// Not node's fs.watch(root, { recursive: true }): on Linux, Node 20 builds it in JavaScript with a watcher and a
// stat of every file, and holds them. Measured on 50,000 files in 50 folders: fs.watch took 2.3 s of the main thread
// and 135 MB of resident memory, @parcel/watcher 0.38 s on its own thread and 10.5 MB (one inotify watch per
// folder); chokidar 4 took one inotify watch and 10 KB per file. A resident watcher's memory grew with its raw root.
import path from 'node:path';
import type { AsyncSubscription, Event } from '@parcel/watcher';
import { isSkippedFolder } from './discover-raw-files.js';

/** Wakes when the root changes or the time runs out, whichever comes first. */
export interface Wake {
  wait(ms: number, signal: AbortSignal): Promise<void>;
  /** Wakes a wait now (another source of work: a PostgreSQL notification). */
  now(): void;
  /**
   * The folders under the root in which the file system said something changed since the last call, relative to the
   * root with forward slashes ('' is the root itself: walk it all); undefined when nothing changed. (Always undefined
   * where the platform cannot watch a tree: there, walks come at the poll interval.)
   */
  takeChangedFolders(): readonly string[] | undefined;
  /** Whether the file system reports changes under the root (after `ready`): if not, only walks find them. */
  watching(): boolean;
  close(): void;
}

/**
 * How long after the file system's first word of a change the walk starts, so that the events of one copy or move
 * wake one walk. Short, as it is part of every file's latency from arrival: a file still being written is not staged
 * before it has settled anyway.
 */
const GATHER_EVENTS_MS = 20;

/** Past this many changed folders between two walks, the whole root is walked (a large copy touches most of it). */
const MOST_FOLDERS = 1_000;

/**
 * Wakes the watcher when something under `root` changes, so a new file is seen at once rather than at the next
 * poll; where the platform cannot watch a tree (or `root` is undefined: nothing to watch), polling alone does the
 * work. `ready` resolves once the watch is in place (or has failed).
 */
export function wakeOnChange(root: string | undefined): Wake & { readonly ready: Promise<void> } {
  let wakeUp: (() => void) | undefined;
  let changed = false;
  let closed = false;
  /** The folders to walk again: each event's parent folder, walked whole, so a new folder is found with its files. */
  let folders = new Set<string>();
  const noticed = (events: readonly Event[]) => {
    changed = true;
    for (const event of events) {
      const folder = root === undefined ? '' : changedFolder(root, event.path);
      if (folder !== undefined) folders.add(folder);
    }
    if (folders.size > MOST_FOLDERS) folders = new Set(['']);
    // A file being written fires many events: the pass they wake comes a moment later, for all of them.
    if (wakeUp !== undefined) setTimeout(wakeUp, GATHER_EVENTS_MS);
  };
  const subscription: Promise<AsyncSubscription | undefined> =
    root === undefined
      ? Promise.resolve(undefined)
      : import('@parcel/watcher')
          // An error (events lost, or the root itself removed) means anything may have changed: the root is walked.
          .then(({ subscribe }) => subscribe(root, (error, events) => noticed(error === null ? events : [{ type: 'update', path: root }])))
          .then((subscribed) => {
            if (closed) void subscribed.unsubscribe().catch(() => {});
            return closed ? undefined : subscribed;
          })
          .catch(() => undefined);
  let subscribed = false;
  void subscription.then((s) => (subscribed = s !== undefined));
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
    takeChangedFolders() {
      if (folders.size === 0) return undefined;
      const taken = [...folders];
      folders = new Set();
      return taken;
    },
    watching: () => subscribed && !closed,
    ready: subscription.then(() => undefined),
    close() {
      closed = true;
      void subscription.then((subscribed) => subscribed?.unsubscribe()).catch(() => {});
    },
  };
}

/**
 * The folder to walk for a change at `changed`: its parent (relative to `root`, forward slashes), which holds it
 * whether it is a file or a new folder; the root ('') when it is the root or outside it; none for a change inside a
 * folder the walk skips (a hidden one: renamed into view, it is a change in its parent).
 */
function changedFolder(root: string, changed: string): string | undefined {
  const relative = path.relative(root, path.dirname(changed));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return '';
  const parts = relative.split(path.sep);
  return parts.some(isSkippedFolder) ? undefined : parts.join('/');
}
