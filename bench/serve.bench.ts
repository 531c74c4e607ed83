// strata serve on a lake of 20,000 staged runs (10 chips of about 2,000 runs): each API call the pages make, and
// each page from its address to interactive in chromium (when /usr/bin/chromium is there).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadStagingConfig } from '../src/config/staging-config.js';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { stageRawFiles } from '../src/pipeline/stage-raw-files.js';
import { loadProcedureCatalog } from '../src/schema/procedures-schema.js';
import { startServer, type RunningServer } from '../src/serve/http-server.js';
import { LakeView } from '../src/serve/lake-view.js';
import { MetricsView } from '../src/serve/metrics-view.js';
import { projectRoot } from '../src/version.js';
import { writeMetricsFixture } from '../test/serve/metrics-fixture.js';
import { fmt, timed, type BenchSection } from './harness.js';

const RUNS = 20_000;
const CHIPS = 10;
const CHROMIUM = '/usr/bin/chromium';
/** The targets: every page interactive in under 1 s, a chip of 2,000 runs in under 300 ms of API time. */
const PAGE_TARGET_MS = 1000;
const CHIP_TARGET_MS = 300;

async function median(times: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) ms.push((await timed(fn)).ms);
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

async function stageLake(dir: string, runs: number) {
  const rawRoot = path.join(dir, 'raw');
  await generateLabCorpus({ root: rawRoot, files: runs, seed: 11, chips: CHIPS });
  const config = loadStagingConfig({ flags: { rawRoot, stageRoot: path.join(dir, 'stage'), settleSeconds: 0 }, env: {}, cwd: dir });
  const staged = await timed(() => stageRawFiles(config));
  return { config, stageSeconds: staged.ms / 1000 };
}

/** Each page loaded from its address (a fresh document) until it says it is drawn; median of 3 and its DOM size. */
async function pageTimes(server: RunningServer, pages: readonly [string, string][]): Promise<string[]> {
  if (!existsSync(CHROMIUM)) return [`pages: not measured (no chromium at ${CHROMIUM})`];
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const lines: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    for (const [name, hash] of pages) {
      // From the document's start to the page saying it is drawn and usable (its own clock: no test harness in it).
      const load = async () => {
        await page.goto('about:blank');
        await page.goto(new URL(hash, server.url).href);
        await page.waitForFunction((h) => (globalThis as any).document.body.dataset.ready === h, hash, { timeout: 60_000 });
        return Number(await page.evaluate(() => (globalThis as any).document.body.dataset.readyMs));
      };
      const first = await load(); // the family's curves are read from their files on the first visit only
      const times = [await load(), await load(), await load()].sort((a, b) => a - b);
      const ms = times[1]!;
      const size = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        return { elements: doc.querySelectorAll('*').length, height: doc.documentElement.scrollHeight };
      });
      const verdict = ms < PAGE_TARGET_MS ? 'under' : 'OVER';
      lines.push(
        `page ${name}: interactive in ${fmt.ms(ms)}, median of 3 (${verdict} the 1 s target; the first visit ${fmt.ms(first)}), ` +
          `${size.elements.toLocaleString('en-US')} elements, ${size.height.toLocaleString('en-US')} px high`,
      );
    }
  } finally {
    await browser.close();
  }
  return lines;
}

/** `runs` is for a quick trial of the bench itself; its figures are for RUNS. */
export async function bench(runs = RUNS): Promise<BenchSection> {
  const dir = path.join(projectRoot, '.bench', 'serve');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { config, stageSeconds } = await stageLake(dir, runs);
  const metricsPath = path.join(dir, '03_derived', '_metrics', 'metrics.parquet');
  await writeMetricsFixture(config.manifestPath, metricsPath);
  const view = await LakeView.open({
    manifestPath: config.manifestPath,
    stageRoot: config.stageRoot,
    rejectsDir: config.rejectsDir,
    catalog: loadProcedureCatalog(config.proceduresYaml),
    localTz: config.localTz,
  });
  const server = await startServer({ view, metrics: new MetricsView(view, metricsPath) }, { host: '127.0.0.1', port: 0 });
  const get = async (route: string) => {
    const res = await fetch(new URL(route, server.url));
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return res.text();
  };
  try {
    const chips = (JSON.parse(await get('/api/chips')) as { chips: { chip_name: string; runs: number }[] }).chips;
    const chip = chips.reduce((a, c) => (c.runs > a.runs ? c : a));
    const history = (JSON.parse(await get(`/api/chips/${chip.chip_name}/runs`)) as { runs: { run_id: string; proc: string }[] }).runs;
    const ivg = history.find((r) => r.proc === 'IVg')!;
    const it = history.find((r) => r.proc === 'It')!;
    const routes: [string, string][] = [
      [`a chip of ${chip.runs.toLocaleString('en-US')} runs`, `/api/chips/${chip.chip_name}/runs`],
      ['the overview', '/api/overview'],
      ['every chip', '/api/chips'],
      ['a search (IVg, newest 100)', '/api/search?proc=IVg&limit=100'],
      ['a search by summary text', '/api/search?text=455&limit=100'],
      ["a chip's metrics", `/api/chips/${chip.chip_name}/metrics?context=laser_wavelength_nm,vg_v`],
      ["a chip's IVg family", `/api/chips/${chip.chip_name}/family?proc=IVg`],
      ['an IVg run', `/api/runs/${ivg.run_id}`],
      ["an IVg run's series", `/api/runs/${ivg.run_id}/series?points=2560`],
    ];
    const lines = [`staged ${runs.toLocaleString('en-US')} generated files in ${stageSeconds.toFixed(1)} s (the lake the figures below read)`];
    for (const [name, route] of routes) {
      const first = (await timed(() => get(route))).ms;
      const ms = await median(7, () => get(route));
      const target = route === routes[0]![1] ? `, ${ms < CHIP_TARGET_MS ? 'under' : 'OVER'} the ${CHIP_TARGET_MS} ms target` : '';
      lines.push(`API ${name}: ${fmt.ms(ms)}, median of 7 (the first call ${fmt.ms(first)}${target})`);
    }
    lines.push(
      ...(await pageTimes(server, [
        ['overview', '#/'],
        ['chips', '#/chips'],
        [`chip (${chip.runs.toLocaleString('en-US')} runs)`, `#/chip/${chip.chip_name}`],
        ['IVg run', `#/run/${ivg.run_id}`],
        ['It run', `#/run/${it.run_id}`],
        ['search', '#/search?proc=IVg'],
        ['metrics', `#/chip/${chip.chip_name}/metrics`],
        ['IVg family', `#/chip/${chip.chip_name}/family?proc=IVg`],
      ])),
    );
    return { title: `serve: a lake of ${runs.toLocaleString('en-US')} staged runs (HTTP on 127.0.0.1, timed from the client)`, lines };
  } finally {
    await server.close();
    view.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
