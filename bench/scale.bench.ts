// `npm run bench -- scale [--sizes 10000,50000,100000] [--parts ...] ...`: issues 24 and 25's figures, each strata
// figure against its baseline in the same invocation, in turns, with peak memory; ends with a summary table for
// docs/benchmarks.md. docs/benchmarks.md says what each figure measures.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scratchPostgres } from '../test/support/scratch-postgres.js';
import { type BenchSection } from './harness.js';
import { catalogAgainstLocal, stagerThroughput, watchSoak } from './scale-catalog.js';
import { afterLastDelete, emptyTrash, WORK } from './scale-corpora.js';
import { lakeFigures } from './scale-lakes.js';
import { summaryTable, type PartReport } from './scale-report.js';
import { warmAgainstOneShot } from './scale-warm.js';

const PARTS = ['catalog', 'stagers', 'watch', 'warm', 'lakes'] as const;
type Part = (typeof PARTS)[number];

export interface ScaleOptions {
  readonly parts: readonly Part[];
  /** Lake sizes (runs) for the arrival, re-run and first-run figures. */
  readonly sizes: readonly number[];
  /** Generated files for the catalog figures. */
  readonly files: number;
  readonly rounds: number;
  readonly stagers: readonly number[];
  readonly batch: number;
  readonly soakMinutes: number;
  readonly rate: number;
  readonly settle: number;
  readonly sampleSeconds: number;
  readonly warmup: number;
  readonly labWorkers: number | undefined;
  readonly labRepo: string;
  readonly pipIndex: string;
}

const DEFAULTS: ScaleOptions = {
  parts: PARTS,
  sizes: [10_000, 50_000, 100_000],
  files: 20_000,
  rounds: 3,
  stagers: [1, 2, 3],
  batch: 256,
  soakMinutes: 3,
  rate: 2,
  settle: 1,
  sampleSeconds: 5,
  warmup: 200,
  labWorkers: undefined,
  labRepo: '/work/.mirror/Joaquim-mph+optothermal_processing/repo',
  pipIndex: 'file:///opt/pypi/simple',
};

const USAGE = `npm run bench -- scale [--parts ${PARTS.join(',')}] [--sizes 10000,50000,100000] [--files 20000] [--rounds 3]
  [--stagers 1,2,3] [--batch 256] [--soak-minutes 3] [--rate 2] [--settle 1] [--sample-seconds 5] [--warmup 200]
  [--lab-workers n] [--lab-repo DIR] [--pip-index URL]`;

export function parseScaleOptions(args: readonly string[]): ScaleOptions {
  const out: Record<string, unknown> = { ...DEFAULTS };
  const numbers = (name: string, text: string) => {
    const values = text.split(',').map(Number);
    if (text === '' || values.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`--${name} takes positive numbers, comma-separated (got '${text}')\n${USAGE}`);
    return values;
  };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (!flag.startsWith('--') || value === undefined) throw new Error(`bench scale: '${flag}' needs a value\n${USAGE}`);
    const name = flag.slice(2);
    switch (name) {
      case 'parts': {
        const parts = value.split(',');
        const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
        if (unknown.length > 0) throw new Error(`bench scale: unknown part ${unknown.join(', ')}\n${USAGE}`);
        out['parts'] = parts;
        break;
      }
      case 'sizes':
      case 'stagers':
        out[name] = numbers(name, value).map(Math.round);
        break;
      case 'files':
      case 'rounds':
      case 'batch':
      case 'warmup':
        out[name] = Math.round(numbers(name, value)[0]!);
        break;
      case 'lab-workers':
        out['labWorkers'] = Math.round(numbers(name, value)[0]!);
        break;
      case 'soak-minutes':
      case 'rate':
      case 'settle':
      case 'sample-seconds':
        out[name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = numbers(name, value)[0]!;
        break;
      case 'lab-repo':
      case 'pip-index':
        out[name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = value;
        break;
      default:
        throw new Error(`bench scale: unknown option ${flag}\n${USAGE}`);
    }
  }
  return out as unknown as ScaleOptions;
}

export async function bench(args: readonly string[] = []): Promise<BenchSection> {
  const options = parseScaleOptions(args);
  const wants = (part: Part) => options.parts.includes(part);
  const reports: PartReport[] = [];
  await afterLastDelete((line) => console.error(line));
  const needsPostgres = wants('catalog') || wants('stagers') || wants('watch');
  const scratch = scratchPostgres('strata_scale');
  const unreachable = needsPostgres ? await scratch.unreachable() : null;
  if (unreachable !== null) reports.push({ lines: [`PostgreSQL unreachable (${unreachable}): the catalog figures skipped`], rows: [] });
  const withCatalog = needsPostgres && unreachable === null;
  if (withCatalog) await scratch.create();
  try {
    if (withCatalog && wants('catalog')) reports.push(await catalogAgainstLocal(scratch.url, options.files, options.rounds));
    if (withCatalog && wants('stagers')) reports.push(await stagerThroughput(scratch.url, options.files, options.stagers, options.rounds, options.batch));
    if (withCatalog && wants('watch')) {
      reports.push(await watchSoak(scratch.url, { minutes: options.soakMinutes, rate: options.rate, settleSeconds: options.settle, sampleSeconds: options.sampleSeconds }));
    }
  } finally {
    if (withCatalog) await scratch.drop();
  }
  if (wants('warm')) {
    const { rounds, warmup: warmupFiles, labRepo, pipIndex, labWorkers } = options;
    reports.push(await warmAgainstOneShot({ rounds, warmupFiles, labRepo, pipIndex, labWorkers }));
  }
  if (wants('lakes')) reports.push(await lakeFigures(options.sizes, options.rounds));
  emptyTrash();
  const table = summaryTable(reports.flatMap((r) => r.rows));
  mkdirSync(WORK, { recursive: true });
  const tableFile = path.join(WORK, 'summary.md');
  writeFileSync(tableFile, `${table}\n`);
  return {
    title: `strata at scale (issues 24 and 25): ${args.length === 0 ? 'defaults' : args.join(' ')}`,
    lines: [...reports.flatMap((r) => r.lines), `summary table (also in ${tableFile}):`],
    after: table,
  };
}
