// A warm resident stager (`strata stage --watch`, local mode) against a one-shot `strata stage` and against the lab's
// own staging script, on the shared corpus dropped into the raw root as one backlog.
//
// The lab's script (Joaquim-mph/optothermal_processing, src/core/stage_raw_measurements.py) is taken from the bare
// mirror with `git archive` into a temporary folder at bench time and run from there, never copied into strata.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { settleDisk } from './harness.js';
import { copyTree, discard, freshDir, generatedCorpus, manifestRuns, parquetRows, SHARED_CORPUS, WORK } from './scale-corpora.js';
import { cleanEnv, shellRun, startStrata, strata, until, type ShellRun } from './scale-processes.js';
import { count, mbOf, median, msOf, newReport, times, type PartReport } from './scale-report.js';

export interface WarmOptions {
  readonly rounds: number;
  /** Generated files the watcher stages before the drop, to be warm (its workers' code compiled). */
  readonly warmupFiles: number;
  /** The bare mirror of the lab's repository. */
  readonly labRepo: string;
  /** The pip index the lab's Python packages come from (offline). */
  readonly pipIndex: string;
  /** --workers for the lab's script; undefined: its own default. */
  readonly labWorkers: number | undefined;
}

const LAB_PACKAGES = ['polars', 'pyarrow', 'pyyaml', 'pydantic', 'numpy'];

/** The lab's script from its mirror and a venv with its packages, made once under .bench/scale; a reason if not. */
function labScript(options: WarmOptions): { python: string; cwd: string } | string {
  if (!existsSync(options.labRepo)) return `the lab's repository is not at ${options.labRepo}`;
  const venv = path.join(WORK, 'lab-venv');
  const python = path.join(venv, 'bin', 'python');
  try {
    if (!existsSync(path.join(venv, '.complete'))) {
      rmSync(venv, { recursive: true, force: true });
      execFileSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' });
      execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '--index-url', options.pipIndex, ...LAB_PACKAGES], { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync('touch', [path.join(venv, '.complete')]);
    }
    const cwd = mkdtempSync(path.join(tmpdir(), 'strata-bench-lab-script-'));
    const archive = execFileSync('git', ['-C', options.labRepo, 'archive', 'HEAD', 'src', 'config'], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', cwd], { input: archive });
    return { python, cwd };
  } catch (error) {
    return `the lab's script could not be set up: ${String(error).slice(0, 500)}`;
  }
}

export async function warmAgainstOneShot(options: WarmOptions): Promise<PartReport> {
  const report = newReport();
  if (!existsSync(SHARED_CORPUS)) {
    report.lines.push(`shared corpus not present at ${SHARED_CORPUS}: the warm stager's figures skipped`);
    return report;
  }
  const lab = labScript(options);
  if (typeof lab === 'string') report.lines.push(`${lab}: the lab's script is left out`);
  const dir = freshDir('warm');
  const warmup = await generatedCorpus(options.warmupFiles, 4242);
  // Untimed: puts the corpus in the page cache for every timed run, and says how many runs it makes.
  const expected = (JSON.parse((await strata(['stage', '--raw-root', SHARED_CORPUS, '--stage-root', path.join(dir, 'count', 'stage'), '--quiet', '--json'])).stdout.trim().split('\n').pop()!) as { ok: number }).ok;
  const warm: ShellRun[] = [];
  const oneShot: ShellRun[] = [];
  const script: ShellRun[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      const steps = [
        async () => warm.push(await warmDrop(path.join(dir, `watch-${round}`), warmup, options.warmupFiles, expected)),
        async () => {
          await settleDisk();
          oneShot.push(await strata(['stage', '--raw-root', SHARED_CORPUS, '--stage-root', path.join(dir, `one-shot-${round}`, 'stage'), '--quiet']));
        },
        async () => {
          if (typeof lab === 'string') return;
          const out = path.join(dir, `lab-${round}`);
          const workers = options.labWorkers === undefined ? [] : ['--workers', String(options.labWorkers)];
          await settleDisk();
          script.push(
            await shellRun(
              lab.python,
              ['-m', 'src.core.stage_raw_measurements', '--raw-root', SHARED_CORPUS, '--stage-root', path.join(out, 'stage'), '--procedures-yaml', 'config/procedures.yml',
                '--rejects-dir', path.join(out, 'rejects'), '--events-dir', path.join(out, 'events'), '--manifest', path.join(out, 'manifest.parquet'), ...workers],
              { cwd: lab.cwd, env: cleanEnv({ PYTHONWARNINGS: 'ignore' }), treeSampleMs: 100 },
            ),
          );
          // It exits 0 whatever it rejected (a missing package rejects every file, fast): its manifest must be whole.
          const runs = await parquetRows(path.join(out, 'manifest.parquet'));
          if (runs !== expected) throw new Error(`the lab's script staged ${runs} runs, not ${expected} (a missing Python package makes it reject every file)`);
        },
      ];
      // Each round starts with the next one: every contender goes first once in three rounds.
      for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]!();
    }
  } finally {
    discard(dir);
    if (typeof lab !== 'string') rmSync(lab.cwd, { recursive: true, force: true });
  }
  const warmMs = median(warm.map((r) => r.ms));
  const oneShotMs = median(oneShot.map((r) => r.ms));
  const labMs = median(script.map((r) => r.ms));
  report.lines.push(
    `the shared corpus (${count(expected)} files) dropped into a watched raw root as one backlog: warm resident stager (strata stage --watch, ${options.warmupFiles} generated files staged before) ` +
      `${msOf(warm.map((r) => r.ms))} from the drop to every run in the manifest, peak ${mbOf(warm.map((r) => r.peakMb))}; ` +
      `one-shot strata stage from the shell ${msOf(oneShot.map((r) => r.ms))}, peak ${mbOf(oneShot.map((r) => r.peakMb))}; ` +
      (script.length === 0
        ? `the lab's script not run`
        : `the lab's stage_raw_measurements.py ${msOf(script.map((r) => r.ms))}, peak ${mbOf(script.map((r) => r.peakMb))} (its process tree, sampled every 100 ms)`) +
      `; warm / one-shot ${times(warmMs / oneShotMs)}`,
  );
  const labCell = script.length === 0 ? 'not run' : `lab's script ${msOf(script.map((r) => r.ms))}`;
  const labPeak = script.length === 0 ? '?' : mbOf(script.map((r) => r.peakMb));
  report.rows.push({
    workload: `warm resident stager, the shared corpus (${count(expected)} files) dropped as one backlog`,
    strata: msOf(warm.map((r) => r.ms)),
    baseline: labCell,
    ratio: `${times(warmMs / labMs)} (${(labMs / warmMs).toFixed(1)}x faster)`,
    peak: `${mbOf(warm.map((r) => r.peakMb))} / ${labPeak}`,
    target: '4x the lab\'s script or better (≤ 0.25x)',
    met: script.length === 0 ? null : labMs / warmMs >= 4,
  });
  report.rows.push({
    workload: `one-shot strata stage, the same corpus`,
    strata: msOf(oneShot.map((r) => r.ms)),
    baseline: labCell,
    ratio: `${times(oneShotMs / labMs)} (${(labMs / oneShotMs).toFixed(1)}x faster); warm / one-shot ${times(warmMs / oneShotMs)}`,
    peak: `${mbOf(oneShot.map((r) => r.peakMb))} / ${labPeak}`,
    target: '',
    met: null,
  });
  return report;
}

/**
 * Starts `strata stage --watch` on an empty raw root, warms it with the generated `warmup` files, then renames a
 * copy of the shared corpus (modification times kept: settled long ago) into its raw root and times from the rename
 * to the manifest holding every run. Peak memory is the watcher's own (VmHWM), read before it is stopped.
 */
async function warmDrop(dir: string, warmup: string, warmupRuns: number, corpusRuns: number): Promise<ShellRun> {
  const raw = path.join(dir, 'raw');
  const stageRoot = path.join(dir, 'lake', 'stage');
  const drops = path.join(dir, 'drops');
  mkdirSync(raw, { recursive: true });
  mkdirSync(drops, { recursive: true });
  copyTree(warmup, path.join(drops, 'warmup'));
  copyTree(SHARED_CORPUS, path.join(drops, 'corpus'));
  const watcher = startStrata(['stage', '--watch', '--raw-root', raw, '--stage-root', stageRoot, '--quiet']);
  const failed = watcher.exited.then((why) => {
    throw new Error(`the watcher ${why}`);
  });
  failed.catch(() => {});
  try {
    renameSync(path.join(drops, 'warmup'), path.join(raw, 'warmup'));
    await Promise.race([failed, until('the warm-up files in the manifest', async () => ((await manifestRuns(stageRoot)) >= warmupRuns ? true : undefined), 120_000, 50)]);
    await sleep(1000);
    await settleDisk();
    const start = performance.now();
    renameSync(path.join(drops, 'corpus'), path.join(raw, 'corpus'));
    await Promise.race([failed, until('the corpus in the manifest', async () => ((await manifestRuns(stageRoot)) >= warmupRuns + corpusRuns ? true : undefined), 120_000, 10)]);
    const ms = performance.now() - start;
    return { ms, peakMb: watcher.peakMb(), stdout: '' };
  } finally {
    await watcher.stop();
  }
}
