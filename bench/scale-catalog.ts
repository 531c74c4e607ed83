// Issue 24's catalog figures: a catalog lake against a local one on the same files, 1-3 stager processes sharing
// one queue, and a resident `--watch --catalog` stager fed one file at a time (settle-to-visible latency, memory).
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { fmt, settleDisk } from './harness.js';
import { freshDir, generatedCorpus } from './scale-corpora.js';
import { statWalk } from './stat-walk.js';
import { startStrata, strata, until, type ShellRun } from './scale-processes.js';
import { count, mbOf, median, msOf, newReport, percentile, times, type PartReport } from './scale-report.js';

/** The rows of one SQL statement, on a connection of its own. */
async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function runsIn(url: string, schema: string): Promise<number> {
  const [row] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "${schema}".runs`);
  return Number(row?.n ?? 0);
}

const catalogArgs = (url: string, schema: string, raw: string, stageRoot: string) => ['stage', '--catalog', url, '--catalog-schema', schema, '--raw-root', raw, '--stage-root', stageRoot];

/** Catalog mode (one process discovering and staging) against the local mode, one-shot, `rounds` times in turns. */
export async function catalogAgainstLocal(url: string, files: number, rounds: number): Promise<PartReport> {
  const report = newReport();
  const raw = await generatedCorpus(files);
  const dir = freshDir('catalog-vs-local');
  const local: ShellRun[] = [];
  const catalog: ShellRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const runLocal = async () => {
      const run = await strata(['stage', '--raw-root', raw, '--stage-root', path.join(dir, `local-${round}`, 'stage'), '--quiet']);
      local.push(run);
    };
    const runCatalog = async () => {
      const schema = `vs_local_${round}`;
      const run = await strata([...catalogArgs(url, schema, raw, path.join(dir, `catalog-${round}`, 'stage')), '--quiet']);
      const runs = await runsIn(url, schema);
      if (runs !== files) throw new Error(`the catalog lake holds ${runs} runs, not ${files}`);
      catalog.push(run);
    };
    for (const step of round % 2 === 0 ? [runLocal, runCatalog] : [runCatalog, runLocal]) {
      await settleDisk();
      await step();
    }
  }
  const ratio = median(catalog.map((r) => r.ms)) / median(local.map((r) => r.ms));
  report.lines.push(
    `catalog mode, ${count(files)} generated files, one process discovering and staging: ${msOf(catalog.map((r) => r.ms))}, peak ${mbOf(catalog.map((r) => r.peakMb))}; ` +
      `local mode ${msOf(local.map((r) => r.ms))}, peak ${mbOf(local.map((r) => r.peakMb))}; catalog / local ${times(ratio)}`,
  );
  report.rows.push({
    workload: `catalog mode, ${count(files)} generated files, one machine (one-shot)`,
    strata: msOf(catalog.map((r) => r.ms)),
    baseline: `local mode ${msOf(local.map((r) => r.ms))}`,
    ratio: times(ratio),
    peak: `${mbOf(catalog.map((r) => r.peakMb))} / ${mbOf(local.map((r) => r.peakMb))}`,
    target: '≤ 1.3x',
    met: ratio <= 1.3,
  });
  return report;
}

interface CatalogJson {
  readonly ok: number;
  readonly queued: number;
  readonly roundTrips: number;
  readonly seconds: number;
}

const lastJson = (run: ShellRun): CatalogJson => JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as CatalogJson;

/**
 * One discoverer queues every file first; then `k` stager processes (`--role stage`) start at once and stage until
 * the queue is empty. Each stager's --json summary gives its files, seconds and round trips.
 */
export async function stagerThroughput(url: string, files: number, stagers: readonly number[], rounds: number, batch: number): Promise<PartReport> {
  const report = newReport();
  const raw = await generatedCorpus(files);
  const dir = freshDir('stagers');
  const byCount = new Map<number, { wallMs: number[]; perStager: number[]; roundTrips: number; staged: number; peaks: number[]; enqueueTrips: number; fixed: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const k of round % 2 === 0 ? stagers : [...stagers].reverse()) {
      const schema = `stagers_${k}_${round}`;
      const stageRoot = path.join(dir, `${k}-${round}`, 'stage');
      const discovered = lastJson(await strata([...catalogArgs(url, schema, raw, stageRoot), '--role', 'discover', '--quiet', '--json']));
      if (discovered.queued !== files) throw new Error(`the discoverer queued ${discovered.queued} files, not ${files}`);
      await settleDisk();
      const start = performance.now();
      const runs = await Promise.all(
        Array.from({ length: k }, () => strata([...catalogArgs(url, schema, raw, stageRoot), '--role', 'stage', '--batch', String(batch), '--quiet', '--json'])),
      );
      const wallMs = performance.now() - start;
      const summaries = runs.map(lastJson);
      const staged = summaries.reduce((sum, s) => sum + s.ok, 0);
      if (staged !== files || (await runsIn(url, schema)) !== files) throw new Error(`${k} stagers staged ${staged} files, not ${files}`);
      // A stager that finds the queue empty: the round trips every stager pays whatever it stages (start, snapshot, sweep).
      const idle = lastJson(await strata([...catalogArgs(url, schema, raw, stageRoot), '--role', 'stage', '--quiet', '--json']));
      const seen = byCount.get(k) ?? { wallMs: [], perStager: [], roundTrips: 0, staged: 0, peaks: [], enqueueTrips: discovered.roundTrips, fixed: [] };
      seen.fixed.push(idle.roundTrips);
      seen.wallMs.push(wallMs);
      seen.perStager.push(...summaries.map((s) => s.ok / s.seconds));
      seen.roundTrips += summaries.reduce((sum, s) => sum + s.roundTrips, 0);
      seen.staged += staged;
      seen.peaks.push(...runs.map((r) => r.peakMb));
      byCount.set(k, seen);
    }
  }
  for (const k of stagers) {
    const seen = byCount.get(k)!;
    const total = (files * 1000) / median(seen.wallMs);
    const perFile = seen.roundTrips / seen.staged;
    const fixed = median(seen.fixed);
    const perBatch = (seen.roundTrips - fixed * k * seen.wallMs.length) / ((seen.staged / batch));
    report.lines.push(
      `${k} stager${k === 1 ? '' : 's'}, ${count(files)} files queued first by one discoverer (${seen.enqueueTrips} round trips to queue them): ` +
        `all staged in ${msOf(seen.wallMs)}, ${Math.round(total).toLocaleString('en-US')} files/s in all; per stager ${Math.round(median(seen.perStager)).toLocaleString('en-US')} files/s (median); ` +
        `${perFile.toFixed(3)} PostgreSQL round trips per file; beyond the ${fixed} each stager makes with nothing to stage (start, snapshot, sweep), ` +
        `${perBatch.toFixed(2)} per batch of ${batch} files; peak ${mbOf(seen.peaks)} per stager`,
    );
    report.rows.push({
      workload: `${k} stager process${k === 1 ? '' : 'es'}, ${count(files)} queued files`,
      strata: `${Math.round(total).toLocaleString('en-US')} files/s in all, ${Math.round(median(seen.perStager)).toLocaleString('en-US')} per stager`,
      baseline: '',
      ratio: `${perFile.toFixed(3)} round trips a file; ${perBatch.toFixed(1)} a batch of ${batch} beyond a stager's fixed ${fixed}`,
      peak: `${mbOf(seen.peaks)} each`,
      target: 'round trips per batch, not per file',
      met: perBatch < 4,
    });
  }
  return report;
}

export interface SoakOptions {
  readonly minutes: number;
  /** Files arriving per second, one at a time. */
  readonly rate: number;
  readonly settleSeconds: number;
  readonly sampleSeconds: number;
}

/**
 * A resident `strata stage --watch --catalog` stager fed one new file at a time at a steady rate for `minutes`: each
 * file's latency from settling (its mtime + settle) to its run's `_committed_at` in the catalog, and the stager's
 * resident memory every few seconds.
 */
export async function watchSoak(url: string, options: SoakOptions): Promise<PartReport> {
  const report = newReport();
  const arrivals = Math.max(1, Math.round(options.minutes * 60 * options.rate));
  const pool = statWalk(await generatedCorpus(arrivals, 777)).sort((a, b) => a.relPath.localeCompare(b.relPath));
  const dir = freshDir('watch-soak');
  const raw = path.join(dir, 'raw');
  mkdirSync(raw, { recursive: true });
  const schema = 'watch_soak';
  const stager = startStrata([...catalogArgs(url, schema, raw, path.join(dir, 'lake', 'stage')), '--watch', '--settle', String(options.settleSeconds), '--quiet']);
  const failed = stager.exited.then((why) => {
    throw new Error(`the watching stager ${why}`);
  });
  failed.catch(() => {});
  const samples: { atS: number; rssMb: number }[] = [];
  const settledAt = new Map<string, number>();
  let peakMb = Number.NaN;
  try {
    await Promise.race([failed, until('the catalog to be made', async () => ((await query<{ t: string | null }>(url, `SELECT to_regclass('"${schema}".runs') AS t`))[0]?.t ? true : undefined), 30_000, 200)]);
    const start = performance.now();
    const sampler = setInterval(() => samples.push({ atS: (performance.now() - start) / 1000, rssMb: stager.rssMb() }), options.sampleSeconds * 1000);
    try {
      for (const [i, file] of pool.entries()) {
        const due = start + (i * 1000) / options.rate;
        await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))]);
        const target = path.join(raw, file.relPath);
        mkdirSync(path.dirname(target), { recursive: true });
        copyFileSync(file.absPath, target);
        settledAt.set(file.relPath.split(path.sep).join('/'), statSync(target).mtimeMs + options.settleSeconds * 1000);
      }
      await Promise.race([failed, until('every arrival to be committed', async () => ((await runsIn(url, schema)) >= arrivals ? true : undefined), 120_000, 250)]);
    } finally {
      clearInterval(sampler);
    }
  } finally {
    peakMb = stager.peakMb();
    await stager.stop();
  }
  const committed = await query<{ source_file: string; at: number }>(url, `SELECT source_file, extract(epoch FROM _committed_at) * 1000 AS at FROM "${schema}".runs`);
  const latencies = committed.map((r) => (Number(r.at) - settledAt.get(r.source_file)!) / 1000).filter(Number.isFinite);
  if (latencies.length !== arrivals) throw new Error(`${latencies.length} of ${arrivals} arrivals matched a committed run`);
  const [p50, p99, max] = [percentile(latencies, 50), percentile(latencies, 99), Math.max(...latencies)];
  report.lines.push(
    `--watch --catalog, ${count(arrivals)} files arriving one at a time at ${options.rate}/s for ${options.minutes} min (settle ${options.settleSeconds} s): ` +
      `settled -> committed p50 ${p50.toFixed(2)} s, p99 ${p99.toFixed(2)} s, max ${max.toFixed(2)} s`,
  );
  report.rows.push({
    workload: `--watch --catalog: a file settling -> its run in the catalog (${count(arrivals)} files at ${options.rate}/s)`,
    strata: `p50 ${p50.toFixed(2)} s, p99 ${p99.toFixed(2)} s`,
    baseline: '',
    ratio: '',
    peak: fmt.mb(peakMb),
    target: 'p50 and p99 < 2 s',
    met: p99 < 2,
  });
  const flat = flatness(samples);
  report.lines.push(
    `the watching stager's resident memory over ${options.minutes} min, sampled every ${options.sampleSeconds} s (${samples.length} samples): ` +
      `${samples.map((s) => Math.round(s.rssMb)).join(' ')} MB; peak ${fmt.mb(peakMb)}; ${flat.words}`,
  );
  report.rows.push({
    workload: `memory of a --watch --catalog stager over ${options.minutes} min of arrivals`,
    strata: flat.words,
    baseline: '',
    ratio: '',
    peak: fmt.mb(peakMb),
    target: 'flat',
    met: flat.flat,
  });
  return report;
}

/**
 * Flat: the largest sample of the last third no more than 10% (+5 MB) above the largest of the middle third (the
 * first third is the warm-up). Maxima, not means: a GC's sawtooth must not read as growth or as a fall.
 */
function flatness(samples: readonly { rssMb: number }[]): { flat: boolean | null; words: string } {
  const rss = samples.map((s) => s.rssMb).filter(Number.isFinite);
  if (rss.length < 6) return { flat: null, words: `${rss.length} samples: too few to tell (a longer --soak-minutes)` };
  const third = Math.floor(rss.length / 3);
  const middle = Math.max(...rss.slice(third, 2 * third));
  const last = Math.max(...rss.slice(2 * third));
  const flat = last <= middle * 1.1 + 5;
  return { flat, words: `${flat ? 'flat' : 'growing'}: largest RSS ${fmt.mb(middle)} in the middle third, ${fmt.mb(last)} in the last (first sample ${fmt.mb(rss[0]!)})` };
}
