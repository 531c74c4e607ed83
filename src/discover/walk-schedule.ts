// When a resident discoverer walks, and what: the whole raw root at its start and now and then, and in between only
// the folders where the file system said something changed or where a file seen still being written is due to
// settle. A watcher's walk then costs what arrives, not the size of its raw root.
import path from 'node:path';
import { folderKey, type RawFile } from './discover-raw-files.js';

export interface WalkSchedule {
  /**
   * The folders to walk now, relative to the raw root ([''] is the whole root), given those the file system said
   * changed; undefined when no walk is due.
   */
  due(nowMs: number, changed: readonly string[] | undefined): readonly string[] | undefined;
  /** A walk of `folders` begun at `atMs` has ended; `unsettled` are the files it found still being written. */
  walked(atMs: number, folders: readonly string[], unsettled: readonly RawFile[], settleSeconds: number): void;
  /** Milliseconds until a walk is due by the clock (the next whole walk, or the next file to settle). */
  untilDue(nowMs: number): number;
  /** How many files the walks found still being written, in the folders not walked since. */
  waiting(): number;
}

/**
 * How often a watcher walks its whole raw root when the file system reports changes (unless --poll-ms says): only
 * to find what a report missed. Where it cannot report them, the whole root is walked every poll interval.
 */
export const WHOLE_WALK_WATCHED_MS = 60_000;

/** `wholeEveryMs`: how often the whole root is walked even when nothing is said to have changed. */
export function walkSchedule(wholeEveryMs: number): WalkSchedule {
  let lastWhole = -Infinity;
  /** Folders holding files still settling: the soonest time one of them settles, and how many there are. */
  const settling = new Map<string, { at: number; files: number }>();
  return {
    due(nowMs, changed) {
      if (nowMs - lastWhole >= wholeEveryMs || changed?.includes('')) return [''];
      const folders = new Set(changed);
      for (const [folder, { at }] of settling) if (at <= nowMs) folders.add(folder);
      return folders.size === 0 ? undefined : [...folders];
    },
    walked(atMs, folders, unsettled, settleSeconds) {
      if (folders.includes('')) {
        lastWhole = atMs;
        settling.clear();
      } else {
        for (const folder of settling.keys()) if (folders.some((f) => folderKey(folder).startsWith(folderKey(f)))) settling.delete(folder);
      }
      for (const file of unsettled) {
        const folder = path.posix.dirname(file.relPath);
        const key = folder === '.' ? '' : folder;
        const at = file.mtimeMs + settleSeconds * 1000;
        const known = settling.get(key);
        settling.set(key, { at: Math.min(known?.at ?? Infinity, at), files: (known?.files ?? 0) + 1 });
      }
    },
    untilDue(nowMs) {
      let next = lastWhole + wholeEveryMs;
      for (const { at } of settling.values()) next = Math.min(next, at);
      return Math.max(0, next - nowMs);
    },
    waiting() {
      let files = 0;
      for (const folder of settling.values()) files += folder.files;
      return files;
    },
  };
}
