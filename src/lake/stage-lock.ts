// One stage run at a time per lake, across machines sharing it: a lock file made by an atomic link, naming its holder, kept fresh by a heartbeat.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { StrataError, namingFullDisk } from '../errors.js';
import { removeTempFiles } from '../fs/atomic-file.js';

export const STAGE_LOCK_NAME = '.strata-stage.lock';
/** The holder touches its lock this often; a lock not touched for STALE_AFTER_MS is stale for any other machine. */
export const HEARTBEAT_MS = 10_000;
export const STALE_AFTER_MS = 60_000;

export interface StageLock {
  readonly file: string;
  /** Temp files removed because the previous run did not finish. */
  readonly sweptTempFiles: number;
  release(): void;
}

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly tool: 'strata';
  readonly host: string;
  readonly pid: number;
  /** When the holding process started, ISO-8601 UTC (tells a reused pid from the holder). */
  readonly started: string;
}

/** Whether a lock is held, and if not, why it may be taken over. */
export type LockState =
  | { readonly kind: 'held'; readonly holder: LockHolder }
  | { readonly kind: 'stale'; readonly why: string };

export interface LockOptions {
  /** Also swept of temp files when a stale lock is taken over. */
  readonly alsoSweep?: readonly string[];
  /** Remove the lock whoever holds it (the user says its run is dead). */
  readonly breakLock?: boolean;
  readonly now?: () => number;
}

const heldHere = new Set<string>();

/** Takes the lake's lock; if the last run died holding it, first sweeps temp files from `stageRoot` and `alsoSweep`. */
export function acquireStageLock(stageRoot: string, options: LockOptions = {}): StageLock {
  mkdirSync(stageRoot, { recursive: true });
  const file = path.join(stageRoot, STAGE_LOCK_NAME);
  const now = options.now ?? Date.now;
  let swept = 0;
  let breakLock = options.breakLock ?? false;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file)) return held(file, swept);
    const text = readLock(file);
    if (text === undefined) continue; // released between our create and our read
    const judged = lockState(file, text, now());
    if (judged.kind === 'held' && breakLock) {
      // --break-lock is for a run that is dead: one that runs on this machine is seen to live, and is left alone.
      const live = runningHere(judged.holder);
      if (live !== undefined) throw liveHolderError(file, live);
    }
    const state = breakLock ? ({ kind: 'stale', why: 'broken with --break-lock' } as const) : judged;
    if (state.kind === 'held') throw heldError(file, state.holder);
    if (!takeOver(file, text)) continue; // another run took it over first: look again
    breakLock = false;
    // The previous run died mid-way: its half-written temp files go, its finished files stay.
    for (const dir of [stageRoot, ...(options.alsoSweep ?? [])]) swept += removeTempFiles(dir);
  }
  throw new StrataError('config', `could not take the stage lock ${file}: other runs keep taking it; try again.`, { lock: file });
}

/** Reads a lock's state as another process would: held, or stale and why. */
export function lockState(file: string, text: string, now: number): LockState {
  const holder = parseHolder(text);
  const age = now - (statOrUndefined(file)?.mtimeMs ?? 0);
  if (holder === undefined) {
    // An older strata's lock holds a bare pid: held only while that pid is a strata process.
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid)?.includes('strata')) {
      return { kind: 'held', holder: { tool: 'strata', host: hostname(), pid, started: '' } };
    }
    return { kind: 'stale', why: `it is not a lock strata writes now (${JSON.stringify(text.slice(0, 40))}) and no strata process holds it` };
  }
  if (holder.host !== hostname()) {
    // Another machine: its pids mean nothing here, its heartbeat says whether it lives.
    if (age <= STALE_AFTER_MS) return { kind: 'held', holder };
    return { kind: 'stale', why: `its holder on ${holder.host} has not touched it for ${Math.round(age / 1000)} s` };
  }
  if (heldHere.has(file)) return { kind: 'held', holder };
  if (holder.pid === process.pid || !isAlive(holder.pid)) return { kind: 'stale', why: `process ${holder.pid} is gone` };
  const started = processStart(holder.pid);
  if (started === undefined) {
    return age <= STALE_AFTER_MS ? { kind: 'held', holder } : { kind: 'stale', why: `process ${holder.pid} has not touched it for ${Math.round(age / 1000)} s` };
  }
  if (Math.abs(started - Date.parse(holder.started)) > 2000) {
    return { kind: 'stale', why: `process ${holder.pid} is another program now (started ${new Date(started).toISOString()})` };
  }
  return { kind: 'held', holder };
}

/**
 * Writes the holder to a file of our own, then hard-links it to the lock's name: link fails if the name exists
 * (atomic on local disks and NFS alike), and the lock is never seen half-written. On NFS a link whose reply was
 * lost may report failure yet have succeeded: a link count of 2 says it did.
 */
function tryCreate(file: string): boolean {
  const mine = `${file}.${hostname()}-${process.pid}.new`;
  const holder: LockHolder = { tool: 'strata', host: hostname(), pid: process.pid, started: new Date(ownStart()).toISOString() };
  try {
    const fd = openSync(mine, 'w');
    try {
      writeSync(fd, `${JSON.stringify(holder)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(mine, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (statOrUndefined(mine)?.nlink === 2) return true;
    throw namingFullDisk(file, error);
  } finally {
    rmSync(mine, { force: true });
  }
}

function held(file: string, sweptTempFiles: number): StageLock {
  heldHere.add(file);
  // The heartbeat tells other machines this run is alive; it never keeps the process running by itself.
  const beat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // the lock was broken by someone else; the run goes on and release() will find nothing to remove
    }
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    file,
    sweptTempFiles,
    release: () => {
      clearInterval(beat);
      heldHere.delete(file);
      if (parseHolder(readLock(file) ?? '')?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

/**
 * Moves a stale lock aside, then checks it moved the lock it judged: if another run replaced it meanwhile,
 * that run's lock is put back (link fails if a third one exists) and nothing is taken.
 */
function takeOver(file: string, judged: string): boolean {
  const aside = `${file}.stale-${hostname()}-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readLock(aside);
  if (moved !== judged) {
    try {
      linkSync(aside, file);
    } catch {
      // a third run holds the lock now; the one we moved is lost to it either way
    }
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

function heldError(file: string, holder: LockHolder): StrataError {
  const since = holder.started ? `, started ${holder.started}` : '';
  return new StrataError(
    'config',
    `another strata stage run (process ${holder.pid} on ${holder.host}${since}) holds the lock ${file}; wait for it to finish, ` +
      'or, if that run is dead, run again with --break-lock.',
    { lock: file, host: holder.host, pid: holder.pid },
  );
}

/**
 * The holder, when it is a process of this machine that is seen to be running now (its pid alive, with the start
 * time the lock gives, or an older lock's pid running strata); undefined when it is not, or cannot be told.
 */
function runningHere(holder: LockHolder): LockHolder | undefined {
  if (holder.host !== hostname() || holder.pid === process.pid || !isAlive(holder.pid)) return undefined;
  if (holder.started === '') return commandLine(holder.pid)?.includes('strata') ? holder : undefined;
  const started = processStart(holder.pid);
  return started !== undefined && Math.abs(started - Date.parse(holder.started)) <= 2000 ? holder : undefined;
}

function liveHolderError(file: string, holder: LockHolder): StrataError {
  const since = holder.started ? ` (started ${holder.started})` : '';
  return new StrataError(
    'config',
    `--break-lock did not take the lock ${file}: its holder, process ${holder.pid}${since} on this machine, is running, so it was ` +
      `not stopped and still holds the lock. Wait for it to finish, or stop it (kill ${holder.pid}) and run again.`,
    { lock: file, host: holder.host, pid: holder.pid },
  );
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (value?.tool === 'strata' && typeof value.host === 'string' && Number.isInteger(value.pid) && typeof value.started === 'string') {
      return value as LockHolder;
    }
  } catch {
    // not JSON: an older lock, or not a lock at all
  }
  return undefined;
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time in epoch ms from /proc (Linux); undefined where there is no /proc. */
function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22, starttime, counted after the command name
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + (ticks / 100) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function ownStart(): number {
  return processStart(process.pid) ?? Date.now() - process.uptime() * 1000;
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}
