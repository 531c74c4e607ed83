// Issue 25's stage rows: a first run of each lake size against DuckDB's best, 10 new files arriving into a lake
// of that size against a stat loop plus DuckDB for the new files, and a re-run with nothing changed against a bare
// stat loop. Each lake is built once per invocation (its first run is the timed one) and reused by every round.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { fmt, settleDisk } from './harness.js';
import { discard, freshDir, generatedCorpus, SHARED_CORPUS } from './scale-corpora.js';
import { nodeCall, strata, type ShellRun } from './scale-processes.js';
import { count, mbOf, median, msOf, newReport, times, type PartReport } from './scale-report.js';

const BASELINES = fileURLToPath(new URL('./scale-baselines.js', import.meta.url));
const ARRIVING = 10;

interface StageJson {
  readonly ok: number;
  readonly skipped: number;
  readonly rejected: number;
}

const summaryOf = (run: ShellRun): StageJson => JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as StageJson;

/** `strata stage` of `rawRoot` into `stageRoot` from the shell, its --json summary checked to have staged `expected`. */
async function stage(rawRoot: string, stageRoot: string, expected?: number): Promise<ShellRun & { summary: StageJson }> {
  const run = await strata(['stage', '--raw-root', rawRoot, '--stage-root', stageRoot, '--quiet', '--json']);
  const summary = summaryOf(run);
  if (expected !== undefined && summary.ok !== expected) throw new Error(`strata stage of ${rawRoot} staged ${summary.ok} files, not ${expected}`);
  return { ...run, summary };
}

export async function lakeFigures(sizes: readonly number[], rounds: number): Promise<PartReport> {
  const report = newReport();
  const made: string[] = [];
  const arrivals: string[] = [];
  const arrivalPeaks: { size: number; peakMb: number }[] = [];
  try {
    for (const size of sizes) {
      const raw = await generatedCorpus(size);
      const lake = freshDir(`lake-${size}`);
      made.push(lake);
      const stageRoot = path.join(lake, 'stage');

      // A first run: the lake's build, against DuckDB's best on the same files.
      await settleDisk();
      const first = await stage(raw, stageRoot, size);
      await settleDisk();
      const bestOut = freshDir(`duckdb-best-${size}`);
      made.push(bestOut);
      const best = await nodeCall<{ rows: number; groups: number }>(BASELINES, 'duckdbBest', [raw, bestOut]);
      discard(bestOut);
      const firstRatio = first.ms / best.ms;
      const biggest = size === Math.max(...sizes);
      report.lines.push(
        `first run, ${count(size)} generated files: strata ${fmt.ms(first.ms)} (${fmt.rate(size, first.ms, 'files')}), peak ${fmt.mb(first.peakMb)}; ` +
          `DuckDB's best (${best.result.groups} read_csv -> COPY, one per procedure and column set, ${count(best.result.rows)} rows) ${fmt.ms(best.ms)}, peak ${fmt.mb(best.peakMb)}; ` +
          `strata / DuckDB ${times(firstRatio)}`,
      );
      report.rows.push({
        workload: `first run, ${count(size)} generated files`,
        strata: fmt.ms(first.ms),
        baseline: `DuckDB best ${fmt.ms(best.ms)}`,
        ratio: times(firstRatio),
        peak: `${fmt.mb(first.peakMb)} / ${fmt.mb(best.peakMb)}`,
        target: biggest ? 'at or ahead (≤ 1.00x), peak < 500 MB' : '',
        met: biggest ? firstRatio <= 1 && first.peakMb < 500 : null,
      });

      // Ten new files, `rounds` times, strata and the baseline in turns (each round's files are new to both).
      const known = path.join(lake, 'known-files.tsv');
      await nodeCall(BASELINES, 'writeKnownFiles', [raw, known]);
      const strataRuns: ShellRun[] = [];
      const baselineRuns: ShellRun[] = [];
      for (let round = 0; round < rounds; round++) {
        const folder = path.join(raw, `zz-arrivals-${process.pid}-${round}`);
        arrivals.push(folder);
        await generateLabCorpus({ root: folder, files: ARRIVING, seed: 900_000 + round, startDate: '2026-06-01' });
        const runStrata = async () => strataRuns.push(await stage(raw, stageRoot, ARRIVING));
        const runBaseline = async () => {
          const run = await nodeCall<{ fresh: number }>(BASELINES, 'newFilesByDuckdb', [raw, known, path.join(lake, 'baseline-out')]);
          if (run.result.fresh !== ARRIVING) throw new Error(`the baseline found ${run.result.fresh} new files, not ${ARRIVING}`);
          baselineRuns.push(run);
        };
        for (const step of round % 2 === 0 ? [runStrata, runBaseline] : [runBaseline, runStrata]) {
          await settleDisk();
          await step();
        }
      }
      const arrivalRatio = median(strataRuns.map((r) => r.ms)) / median(baselineRuns.map((r) => r.ms));
      const arrivalPeak = Math.max(...strataRuns.map((r) => r.peakMb));
      arrivalPeaks.push({ size, peakMb: arrivalPeak });
      report.lines.push(
        `${ARRIVING} new files into a lake of ${count(size)} runs (${rounds} rounds, in turns): strata ${msOf(strataRuns.map((r) => r.ms))}, peak ${fmt.mb(arrivalPeak)}; ` +
          `stat loop + DuckDB read_csv -> COPY of the new files ${msOf(baselineRuns.map((r) => r.ms))}, peak ${mbOf(baselineRuns.map((r) => r.peakMb))}; strata / baseline ${times(arrivalRatio)}`,
      );
      report.rows.push({
        workload: `${ARRIVING} new files into a lake of ${count(size)} runs`,
        strata: msOf(strataRuns.map((r) => r.ms)),
        baseline: msOf(baselineRuns.map((r) => r.ms)),
        ratio: times(arrivalRatio),
        peak: `${fmt.mb(arrivalPeak)} / ${mbOf(baselineRuns.map((r) => r.peakMb))}`,
        target: '< 1.5x',
        met: arrivalRatio < 1.5,
      });

      report.rows.push(await rerunRow(`${count(size)} generated files`, raw, stageRoot, rounds, report.lines));
    }
    if (arrivalPeaks.length > 1) {
      const low = Math.min(...arrivalPeaks.map((p) => p.peakMb));
      const high = Math.max(...arrivalPeaks.map((p) => p.peakMb));
      report.rows.push({
        workload: `peak memory of ${ARRIVING} new files, by lake size`,
        strata: arrivalPeaks.map((p) => `${count(p.size)}: ${fmt.mb(p.peakMb)}`).join(', '),
        baseline: '',
        ratio: `largest / smallest ${times(high / low)}`,
        peak: '',
        target: 'independent of the lake size (within 1.2x)',
        met: high / low <= 1.2,
      });
    }
    if (existsSync(SHARED_CORPUS)) {
      const lake = freshDir('lake-shared-corpus');
      made.push(lake);
      const built = await stage(SHARED_CORPUS, path.join(lake, 'stage'));
      report.rows.unshift(await rerunRow(`the shared corpus (${count(built.summary.ok)} files)`, SHARED_CORPUS, path.join(lake, 'stage'), rounds, report.lines));
    } else {
      report.lines.push(`shared corpus not present at ${SHARED_CORPUS}: its re-run skipped`);
    }
  } finally {
    for (const folder of [...arrivals, ...made]) discard(folder);
  }
  return report;
}

/** A re-run with nothing changed against a bare stat loop over the same raw root, `rounds` times in turns. */
async function rerunRow(what: string, raw: string, stageRoot: string, rounds: number, lines: string[]) {
  const strataRuns: ShellRun[] = [];
  const statRuns: ShellRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const runStrata = async () => strataRuns.push(await stage(raw, stageRoot, 0));
    const runStat = async () => statRuns.push(await nodeCall(BASELINES, 'statLoop', [raw]));
    for (const step of round % 2 === 0 ? [runStrata, runStat] : [runStat, runStrata]) {
      await settleDisk();
      await step();
    }
  }
  const ratio = median(strataRuns.map((r) => r.ms)) / median(statRuns.map((r) => r.ms));
  lines.push(
    `re-run, nothing changed, ${what}: strata ${msOf(strataRuns.map((r) => r.ms))}, peak ${mbOf(strataRuns.map((r) => r.peakMb))}; ` +
      `bare stat loop (node, readdir + stat) ${msOf(statRuns.map((r) => r.ms))}; strata / stat loop ${times(ratio)}`,
  );
  return {
    workload: `re-run, nothing changed, ${what}`,
    strata: msOf(strataRuns.map((r) => r.ms)),
    baseline: `stat loop ${msOf(statRuns.map((r) => r.ms))}`,
    ratio: times(ratio),
    peak: `${mbOf(strataRuns.map((r) => r.peakMb))} / ${mbOf(statRuns.map((r) => r.peakMb))}`,
    target: '',
    met: null,
  };
}
