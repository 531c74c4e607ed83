// strata serve on a 100,000-run manifest: the chip API, an 80,000-row run's downsampled series, the page's first load.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Engine, sqlLiteral } from '../src/engine/duckdb.js';
import { loadProcedureCatalog } from '../src/schema/procedures-schema.js';
import { startServer } from '../src/serve/http-server.js';
import { LakeView } from '../src/serve/lake-view.js';
import { MetricsView } from '../src/serve/metrics-view.js';
import { projectRoot } from '../src/version.js';
import { manifestRow, writeTestManifest } from '../test/history/manifest-fixtures.js';
import { fmt, timed, type BenchSection } from './harness.js';

const RUNS = 100_000;
const CHIPS = 500;
const CHIP = 123;
const BIG_ROWS = 80_000;

function generateRuns(): Record<string, unknown>[] {
  const start = Date.UTC(2024, 0, 1, 12);
  return Array.from({ length: RUNS }, (_, i) =>
    manifestRow({
      chip: i % CHIPS,
      proc: i % 3 === 0 ? 'IVg' : 'It',
      start: new Date(start + Math.floor(i / 250) * 86_400_000 + (i % 250) * 120_000).toISOString(),
      fileIdx: (i % 250) + 1,
      light: i % 2 === 0,
    }),
  );
}

/** An It run's file of 80,000 rows where the manifest says it is: t_s, i_a and vl_v as the YAML names them. */
async function writeBigRun(stageRoot: string, relative: string): Promise<void> {
  const file = path.join(stageRoot, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  const engine = await Engine.open();
  const conn = await engine.connect();
  await conn.run(`COPY (SELECT i * 0.01 AS t_s, 1e-6 * sin(i / 500.0) + 1e-8 * random() AS i_a,
      CASE WHEN i BETWEEN ${BIG_ROWS / 3} AND ${(2 * BIG_ROWS) / 3} THEN 3.0 ELSE 0.0 END AS vl_v
    FROM range(${BIG_ROWS}) r(i)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
  conn.close();
  engine.close();
}

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) ms.push((await timed(fn)).ms);
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

export async function bench(): Promise<BenchSection> {
  const dir = path.join(projectRoot, '.bench', 'serve');
  rmSync(dir, { recursive: true, force: true });
  const stageRoot = path.join(dir, 'raw_measurements');
  mkdirSync(stageRoot, { recursive: true });
  const manifestPath = path.join(dir, '_manifest', 'manifest.parquet');
  const rows = generateRuns();
  const big = rows.find((r) => r['proc'] === 'It')!;
  big['rows'] = BIG_ROWS;
  await writeTestManifest(manifestPath, rows);
  await writeBigRun(stageRoot, String(big['path']));
  const catalog = loadProcedureCatalog(path.join(projectRoot, 'config', 'procedures.yml'));
  const view = await LakeView.open({ manifestPath, stageRoot, rejectsDir: path.join(dir, '_rejects'), catalog, localTz: 'America/Santiago' });
  const server = await startServer({ view, metrics: new MetricsView(view, path.join(dir, 'metrics.parquet')) }, { host: '127.0.0.1', port: 0 });
  const get = async (route: string) => {
    const res = await fetch(new URL(route, server.url));
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return res.text();
  };
  try {
    const chipRoute = `/api/chips/${CHIP}/runs`;
    const chipRuns = (JSON.parse(await get(chipRoute)) as { runs: unknown[] }).runs.length;
    const chipMs = await median(7, () => get(chipRoute));
    const chipsMs = await median(5, () => get('/api/chips'));
    const seriesRoute = `/api/runs/${String(big['run_id'])}/series?points=2400`;
    const points = (JSON.parse(await get(seriesRoute)) as { data: unknown[][] }).data[0]!.length;
    const seriesMs = await median(7, () => get(seriesRoute));
    // What the browser fetches before the overview shows: the page, its scripts and styles, and the overview API.
    const firstLoad = ['/', '/app.js', '/chart.js', '/app.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css', '/api/overview'];
    const pageMs = await median(5, () => Promise.all(firstLoad.map(get)));
    return {
      title: `serve: the API on a manifest of ${RUNS.toLocaleString('en-US')} runs (HTTP on 127.0.0.1, timed from the client)`,
      lines: [
        `chip ${CHIP}'s runs (${chipRuns}) from /api/chips/${CHIP}/runs, median of 7: ${fmt.ms(chipMs)} (target < 100 ms)`,
        `every chip from /api/chips, median of 5: ${fmt.ms(chipsMs)}`,
        `an ${BIG_ROWS.toLocaleString('en-US')}-row run's series downsampled to ${points} points, median of 7: ${fmt.ms(seriesMs)} (target < 150 ms)`,
        `the page's first load (html, scripts, styles, uPlot, /api/overview), median of 5: ${fmt.ms(pageMs)} (target < 1 s)`,
      ],
    };
  } finally {
    await server.close();
    view.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
