// The scale benchmark's processes: commands run to their end from the shell (wall time from spawn to exit, peak
// memory), and resident ones (a watcher) whose memory is read while they run and which are stopped by a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../src/version.js';

const GNU_TIME = '/usr/bin/time';
const STRATA = path.join(projectRoot, 'bin', 'strata.js');

export interface ShellRun {
  /** From spawn to exit. */
  readonly ms: number;
  /**
   * Peak resident memory in MB: the largest process's (GNU time's %M, exact) unless the process tree's sum was
   * sampled (`tree`), then the largest sum seen. NaN when neither could be had.
   */
  readonly peakMb: number;
  readonly stdout: string;
}

export interface ShellOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Sample the whole process tree's resident memory (a program with worker processes), every this many ms. */
  readonly treeSampleMs?: number;
}

/** The environment a command gets: the bench's own, without STRATA_* variables that would change what it does. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('STRATA_')) env[key] = value;
  return { ...env, ...extra };
}

/** Runs `command args` to its end and fails with its stderr's tail when it exits non-zero. */
export async function shellRun(command: string, args: readonly string[], options: ShellOptions = {}): Promise<ShellRun> {
  const timeFile = path.join(tmpdir(), `strata-scale-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const timed = existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ['-f', '%M', '-o', timeFile, command, ...args]] : [command, [...args]];
  const start = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let treePeak = 0;
  const sampler =
    options.treeSampleMs === undefined
      ? undefined
      : setInterval(() => {
          treePeak = Math.max(treePeak, treeRssMb(child.pid));
        }, options.treeSampleMs);
  const { code, stdout, stderr } = await ended(child);
  const ms = performance.now() - start;
  if (sampler !== undefined) clearInterval(sampler);
  let peakMb = Number.NaN;
  if (timed) {
    peakMb = Number(/(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? Number.NaN) / 1024;
    rmSync(timeFile, { force: true });
  }
  if (options.treeSampleMs !== undefined) peakMb = treePeak;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { ms, peakMb, stdout };
}

/** `strata <args>` from the shell. */
export function strata(args: readonly string[], options: ShellOptions = {}): Promise<ShellRun> {
  return shellRun(process.execPath, [STRATA, ...args], options);
}

/** `exportName(...args)` of a compiled bench module in a fresh node process, timed from spawn to exit as strata is. */
export async function nodeCall<T>(modulePath: string, exportName: string, args: readonly unknown[]): Promise<ShellRun & { readonly result: T }> {
  const script = `
    const m = await import(${JSON.stringify(pathToFileURL(modulePath).href)});
    const result = await m[${JSON.stringify(exportName)}](...JSON.parse(process.argv[1]));
    process.stdout.write('\\n' + JSON.stringify(result ?? null));
  `;
  const run = await shellRun(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)]);
  return { ...run, result: JSON.parse(run.stdout.trim().split('\n').pop() ?? 'null') as T };
}

function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => {
    err.push(b);
    if (err.length > 64) err.splice(0, err.length - 64);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

/** A field of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak so far); NaN once the process is gone. */
export function procStatusMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return Number.NaN;
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The resident memory of `pid` and all its descendants now, in MB (0 when it is gone). */
function treeRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const rss = procStatusMb(at, 'VmRSS');
    if (Number.isFinite(rss)) total += rss;
    try {
      for (const task of readdirSync(`/proc/${at}/task`)) {
        const children = readFileSync(`/proc/${at}/task/${task}/children`, 'utf8').trim();
        if (children !== '') stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** A process that runs until stopped: its stdout lines as they come, its memory while it runs. */
export interface Resident {
  readonly pid: number;
  /** Resident memory now, MB. */
  rssMb(): number;
  /** Peak resident memory so far, MB. */
  peakMb(): number;
  /** Sends SIGTERM (finish the files in hand, then exit) and waits for the exit; fails if it did not exit 0. */
  stop(): Promise<{ readonly stdout: string }>;
  /** Set when it exited before being told to stop. */
  readonly exited: Promise<string>;
}

export function startResident(command: string, args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): Resident {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = ended(child);
  let stopping = false;
  const exited = done.then(({ code, signal, stderr }) => (stopping ? '' : `exited ${code ?? signal} before it was stopped: ${stderr.slice(-2000)}`));
  return {
    pid: child.pid!,
    rssMb: () => procStatusMb(child.pid, 'VmRSS'),
    peakMb: () => procStatusMb(child.pid, 'VmHWM'),
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      const { code, signal, stdout, stderr } = await done;
      if (code !== 0) throw new Error(`${command} ${args.join(' ')} ended ${code ?? signal} when stopped: ${stderr.slice(-2000)}`);
      return { stdout };
    },
    exited,
  };
}

export function startStrata(args: readonly string[]): Resident {
  return startResident(process.execPath, [STRATA, ...args]);
}

/** Polls `check` every `everyMs` until it returns a value, failing after `timeoutMs` with `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 20): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
