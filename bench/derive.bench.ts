// `strata derive` against the lab's own metric pipeline (optothermal_processing's MetricPipeline and
// CalibrationMatcher) on the shared corpus: each a fresh process, interleaved round by round, wall time and peak
// memory. Needs the corpus, STRATA_LAB_REPO and STRATA_LAB_PYTHON (see test/derive/lab-environment.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { loadStagingConfig } from '../src/config/staging-config.js';
import { stageRawFiles } from '../src/pipeline/stage-raw-files.js';
import { loadProcedureCatalog } from '../src/schema/procedures-schema.js';
import { projectRoot } from '../src/version.js';
import { labEnvironment } from '../test/derive/lab-environment.js';
import { fmt, settleDisk, type BenchSection } from './harness.js';
import { SHIPPED_PROCEDURES_YAML } from '../src/schema/shipped-procedures.js';

const WORK = path.join(projectRoot, '.bench', 'derive');
const ROUNDS = 3;

/**
 * Wall time, CPU time (user + system, all threads) and peak resident memory of a command, from GNU time. On a
 * machine shared with other work the wall time stretches with the load; the CPU time much less.
 */
function measured(command: string, args: readonly string[], cwd: string): { ms: number; cpuMs: number; peakMb: number; stdout: string } {
  const start = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr.slice(-2000)}`);
  const [kb, user, system] = (run.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { ms, cpuMs: (user! + system!) * 1000, peakMb: kb! / 1024, stdout: run.stdout };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function bench(): Promise<BenchSection> {
  const title = "strata derive against the lab's metric pipeline";
  const { env, skip } = labEnvironment();
  if (env === null) return { title, lines: [`skipped: ${skip}`] };
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const config = loadStagingConfig({ flags: { rawRoot: env.corpus, stageRoot: path.join(WORK, '02_stage', 'raw_measurements'), settleSeconds: 0 }, env: {}, cwd: WORK });
  await stageRawFiles(config);
  const catalog = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML);
  const headers = Object.fromEntries([...catalog.procedures].map(([name, p]) => [name, Object.fromEntries(p.data.filter((d) => d.header !== undefined).map((d) => [d.name, d.header]))]));
  const labScript = path.join(projectRoot, 'test', 'derive', 'lab_pipeline.py');
  const labLake = path.join(WORK, 'lab-lake');
  execFileSync(env.python, [labScript, 'convert', env.repo, config.stageRoot, config.manifestPath, JSON.stringify(headers), labLake], { stdio: 'inherit' });

  const strata = (extra: readonly string[]) =>
    measured(process.execPath, [path.join(projectRoot, 'bin', 'strata.js'), 'derive', '--manifest', config.manifestPath, '--stage-root', config.stageRoot, '--derived-root', path.join(WORK, '03_derived'), '--json', ...extra], WORK);
  const lab = () => measured(env.python, [labScript, 'run', env.repo, labLake], WORK);
  // One of each first, untimed: the disk cache and Python's compiled modules warm for both alike.
  strata(['--force', '--no-histories']);
  lab();
  const rounds: { strata: number; lab: number; strataCpu: number; labCpu: number; strataMb: number; labMb: number }[] = [];
  let strataSummary = '';
  let labSummary = '';
  for (let round = 0; round < ROUNDS; round++) {
    await settleDisk();
    const s = strata(['--force', '--no-histories']);
    await settleDisk();
    const l = lab();
    rounds.push({ strata: s.ms, lab: l.ms, strataCpu: s.cpuMs, labCpu: l.cpuMs, strataMb: s.peakMb, labMb: l.peakMb });
    strataSummary = s.stdout.trim().split('\n').pop() ?? '';
    labSummary = l.stdout.trim().split('\n').pop() ?? '';
  }
  const again = strata([]);
  const withHistories = strata(['--force']);
  const s = median(rounds.map((r) => r.strata));
  const l = median(rounds.map((r) => r.lab));
  const sCpu = median(rounds.map((r) => r.strataCpu));
  const lCpu = median(rounds.map((r) => r.labCpu));
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const parsed = JSON.parse(strataSummary) as { computed: number; values: number; missing: number };
  const labParsed = JSON.parse(labSummary) as { metrics: number; powers: number };
  return {
    title,
    lines: [
      `the shared corpus (${existsSync(env.corpus) ? env.corpus : '?'}), ${ROUNDS} interleaved rounds, each a fresh process from start to exit; the machine is shared, so the figures are indicative`,
      `strata derive --force (no histories): ${parsed.computed} runs, ${parsed.values} values and ${parsed.missing} flagged nulls (CNP x5, gm, photoresponse x2, tau, laser power); median wall ${fmt.ms(s)} (${rounds.map((r) => fmt.ms(r.strata)).join(', ')}), CPU ${fmt.ms(sCpu)}, peak ${fmt.mb(median(rounds.map((r) => r.strataMb)))}`,
      `the lab's pipeline (MetricPipeline: CNP x3, photoresponse, dark relaxation; CalibrationMatcher: laser power): ${labParsed.metrics} metrics and ${labParsed.powers} powers; median wall ${fmt.ms(l)} (${rounds.map((r) => fmt.ms(r.lab)).join(', ')}), CPU ${fmt.ms(lCpu)}, peak ${fmt.mb(median(rounds.map((r) => r.labMb)))}`,
      `ratio: strata derive is ${fmt.ratio(l / s)} faster in wall time, ${fmt.ratio(lCpu / sCpu)} in CPU time (load average ${load} on ${cpus().length} cores at the end)`,
      `strata derive again with nothing to do: ${fmt.ms(again.ms)}; with --force and the enriched histories: ${fmt.ms(withHistories.ms)}`,
    ],
  };
}
