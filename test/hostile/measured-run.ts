// The CLI in a child process, watched: how long it ran, its peak memory, and stopped when it runs past a time or a size.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./measured-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface MeasuredRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The kernel's high-water mark of the process's resident memory; null when it could not be read. */
  readonly peakRssBytes: number | null;
  readonly seconds: number;
  /** Why the watcher stopped it: it ran past its time, or its memory past the cap; null when it ended by itself. */
  readonly stopped: 'time' | 'memory' | null;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Stopped (SIGKILL) past this; a command that takes longer has not finished. */
  readonly timeoutMs: number;
  /** Stopped (SIGKILL) when its resident memory passes this, so that a runaway command cannot take the machine. */
  readonly memoryCapBytes?: number;
}

export interface MeasuredProcess {
  readonly pid: number;
  /** The first line the command prints on stdout (`strata serve --json` prints its URL). */
  firstLine(): Promise<string>;
  /** Sends `signal` (when still running) and waits for the end, up to the time left. */
  stop(signal?: NodeJS.Signals): Promise<MeasuredRun>;
  /** Waits for the command to end by itself (or be stopped by the watcher). */
  done(): Promise<MeasuredRun>;
}

const WATCH_MS = 100;
const DEFAULT_CAP = 1536 * 1024 * 1024;

/** The peak and current resident memory of a live process, from /proc; null once it is gone. */
function memoryOf(pid: number): { hwm: number; rss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const hwm = kb('VmHWM');
    return Number.isFinite(hwm) ? { hwm, rss: kb('VmRSS') } : null;
  } catch {
    return null;
  }
}

export function startMeasured(args: readonly string[], options: MeasureOptions): MeasuredProcess {
  const usageDir = mkdtempSync(path.join(os.tmpdir(), 'strata-usage-'));
  const usageFile = path.join(usageDir, 'usage.json');
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', TSX, CHILD, usageFile, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code, signal) => reject(new Error(`strata ${args[0]} ended (${code ?? signal}) before printing a line: ${stderr}`)));
  });
  firstLine.catch(() => undefined);
  lines.on('line', (line) => (stdout += `${line}\n`));

  let peakSeen = 0;
  let stopped: MeasuredRun['stopped'] = null;
  const cap = options.memoryCapBytes ?? DEFAULT_CAP;
  const watcher = setInterval(() => {
    const memory = memoryOf(child.pid!);
    if (memory !== null) peakSeen = Math.max(peakSeen, memory.hwm);
    if (memory !== null && memory.rss > cap && stopped === null) {
      stopped = 'memory';
      child.kill('SIGKILL');
    }
  }, WATCH_MS);
  const timer = setTimeout(() => {
    if (stopped === null) stopped = 'time';
    child.kill('SIGKILL');
  }, options.timeoutMs);

  const ended = new Promise<MeasuredRun>((resolve) => {
    child.once('close', (code, signal) => {
      clearInterval(watcher);
      clearTimeout(timer);
      let reported = 0;
      if (existsSync(usageFile)) reported = (JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssBytes: number }).maxRssBytes;
      rmSync(usageDir, { recursive: true, force: true });
      const peak = Math.max(peakSeen, reported);
      resolve({ args, code, signal, stdout, stderr, peakRssBytes: peak > 0 ? peak : null, seconds: (performance.now() - started) / 1000, stopped });
    });
  });
  return {
    pid: child.pid!,
    firstLine: () => firstLine,
    done: () => ended,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return ended;
    },
  };
}

/** Runs `strata ARGS` to its end (or until the watcher stops it). */
export function runMeasured(args: readonly string[], options: MeasureOptions): Promise<MeasuredRun> {
  return startMeasured(args, options).done();
}

/** One line that says how a run ended, for assertion messages. */
export function describeRun(run: MeasuredRun): string {
  const how = run.stopped === 'time' ? 'stopped: it ran past its time' : run.stopped === 'memory' ? 'stopped: its memory passed the cap' : `exit ${run.code ?? run.signal}`;
  const peak = run.peakRssBytes === null ? '?' : `${Math.round(run.peakRssBytes / 1024 / 1024)} MB`;
  const tail = run.stderr.trim().split('\n').slice(-6).join(' | ');
  return `strata ${run.args.map((a) => (a.length > 80 ? `${a.slice(0, 80)}…` : a)).join(' ')}: ${how} after ${run.seconds.toFixed(1)} s, peak ${peak}; stderr: ${tail.slice(0, 1500)}`;
}
