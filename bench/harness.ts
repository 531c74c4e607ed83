// Benchmark plumbing: timing, peak memory (measured in a child process so each figure is its own), report lines.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface BenchSection {
  readonly title: string;
  readonly lines: readonly string[];
  /** Printed as it is after the lines (a Markdown table). */
  readonly after?: string;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ readonly ms: number; readonly result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

export interface ChildRun<T> {
  readonly ms: number;
  readonly peakMb: number;
  readonly result: T;
}

/**
 * Calls `exportName(...args)` of a compiled module in a fresh node process and returns its result,
 * the wall time of the call and the process's peak resident memory (whole process, node included).
 */
export function inChild<T>(modulePath: string, exportName: string, args: readonly unknown[] = []): ChildRun<T> {
  const script = `
    const m = await import(${JSON.stringify(pathToFileURL(modulePath).href)});
    const args = JSON.parse(process.argv[1]);
    const start = performance.now();
    const result = await m[${JSON.stringify(exportName)}](...args);
    const ms = performance.now() - start;
    process.stdout.write('\\n' + JSON.stringify({ ms, peakMb: process.resourceUsage().maxRSS / 1024, result }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], {
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  const last = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as ChildRun<T>;
}

export const fmt = {
  ms: (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`),
  rate: (count: number, ms: number, unit: string) => `${Math.round((count * 1000) / ms).toLocaleString('en-US')} ${unit}/s`,
  mb: (mb: number) => `${mb.toFixed(0)} MB`,
  ratio: (x: number) => `${x.toFixed(1)}x`,
};

/**
 * Waits until the disk is quiet before a timed run: `sync`, then until the kernel's I/O pressure (PSI, the share
 * of the last 10 s some task waited on I/O) is under 2%, at most two minutes. On this machine's ext4 (mounted
 * with `discard`) files made right after a large delete wait on the journal, which once made one round of the
 * 20,000-file corpus several times slower, baseline and strata alike. Returns the seconds waited.
 */
export async function settleDisk(): Promise<number> {
  const start = performance.now();
  execFileSync('sync');
  for (;;) {
    let pressure = 0;
    try {
      pressure = Number(/avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/io', 'utf8'))?.[1] ?? 0);
    } catch {
      return (performance.now() - start) / 1000; // no PSI here: sync is all there is
    }
    if (pressure < 2 || performance.now() - start > 120_000) return (performance.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
