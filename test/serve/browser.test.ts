// strata serve in a real browser (Debian's chromium through playwright-core) on a generated lake: the pages, a
// sweep drawn in the raw file's order, reading values, zoom and restore, overlays, keyboard, the navigation race,
// derived-metric views and exports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chipHistory } from '../../src/history/chip-history.js';
import { openManifest } from '../../src/history/manifest-query.js';
import { browserSkip, chartState, launchBrowser, open, pointOnPage, rawColumn, ready, screenshot } from './browser-support.js';
import { writeMetricsFixture } from './metrics-fixture.js';
import { getJson, serveGeneratedLake, type ServedLake } from './serve-lake.js';

interface Run {
  run_id: string;
  proc: string;
  rows: number;
  source_file: string;
  chip_name: string;
  has_light: boolean | null;
  laser_period_s: number | null;
}

describe('strata serve in a browser', { skip: browserSkip }, () => {
  let s: ServedLake;
  let browser: Browser;
  let page: Page;
  let runs: Run[];
  let chip: { chip_name: string; chip_group: string; chip_number: number; runs: number };
  const failures: string[] = [];
  const series = new Map<string, number>();

  before(async () => {
    s = await serveGeneratedLake(200, undefined, { days: 3, chips: 2, rowsPerFile: [150, 400] });
    const m = await openManifest(s.lake.config.manifestPath);
    runs = await m.conn.all<Run & Record<string, unknown>>(`SELECT run_id, proc, rows, source_file, chip_name, has_light, laser_period_s FROM ${m.source} ORDER BY run_id`);
    m.close();
    const chips = (await getJson(s.server, '/api/chips')).body.chips;
    chip = chips.reduce((a: any, c: any) => (c.runs > a.runs ? c : a));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('request', (r) => {
      assert.ok(r.url().startsWith(s.server.url) || r.url().startsWith('blob:'), `the page asked for ${r.url()}`);
      const id = /\/api\/runs\/([0-9a-f]{16})\/series\?(?!.*from=)/.exec(r.url())?.[1];
      if (id) series.set(id, (series.get(id) ?? 0) + 1);
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().includes('/api/chips/Nobody99/')) failures.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('opens the overview (with its favicon, no request failing), the chips, and a chip whose timeline holds its history in order', async () => {
    await open(page, s.server.url, '#/');
    assert.match(await page.locator('main h1').innerText(), /Overview/);
    await chartState(page, 'figure.chart');
    await screenshot(page, 'overview.png');
    await page.locator('nav a', { hasText: 'Chips' }).click();
    await ready(page, '#/chips');
    await page.locator('table.chips a', { hasText: chip.chip_name }).click();
    await ready(page, `#/chip/${chip.chip_name}`);
    const m = await openManifest(s.lake.config.manifestPath);
    const history = await chipHistory(m, { chip: chip.chip_number, group: chip.chip_group, localTz: s.lake.config.localTz });
    m.close();
    const timeline = await chartState(page, 'figure.chart');
    const drawn = await page.locator('figure.chart').evaluate((f: any) => f.strataChart.spec.series.flatMap((s: any) => s.runs.map((r: any) => r.run_id)));
    assert.deepEqual([...drawn].sort(), history.runs.map((r) => r.run_id).sort());
    assert.equal(timeline.series.reduce((a: number, c: { x: unknown[] }) => a + c.x.length, 0), history.runs.length);
    assert.ok(history.runs.length > 100, `a chip of ${history.runs.length} runs`);
    const rows = await page.locator('table.history tbody tr').evaluateAll((trs) => trs.map((tr: any) => tr.dataset['runId']));
    assert.deepEqual(rows, history.runs.slice(0, 100).map((r) => r.run_id), 'the history table shows its first page of 100, in order');
    await screenshot(page, 'chip.png');
    await page.getByRole('button', { name: 'Next 100 runs' }).first().click();
    const next = await page.locator('table.history tbody tr').evaluateAll((trs) => trs.map((tr: any) => tr.dataset['runId']));
    assert.deepEqual(next, history.runs.slice(100, 200).map((r) => r.run_id));
  });

  it("draws a sweep in the raw file's row order, forward and backward told apart, on an axis that holds all of it", async () => {
    const run = runs.find((r) => r.proc === 'IVg' && r.chip_name === chip.chip_name && r.rows > 100)!;
    await open(page, s.server.url, `#/run/${run.run_id}`);
    const chart = await chartState(page);
    const file = path.join(s.dir, 'raw', run.source_file);
    assert.deepEqual(chart.series[0]!.x, rawColumn(file, 'Vg (V)'));
    assert.deepEqual(chart.series[0]!.y, rawColumn(file, 'I (A)'));
    // Drawn in order: each piece starts where the previous ended, and the direction turns at each piece.
    const pieces = chart.pieces[0]!;
    let next = 0;
    for (const p of pieces) {
      assert.ok(p.first === next || p.first === next - 1, `piece at ${p.first} follows ${next}`);
      next = p.first + p.points;
    }
    assert.equal(next, chart.series[0]!.x.length);
    assert.ok(pieces.length >= 3, `${pieces.length} branches`);
    for (let k = 1; k < pieces.length; k++) assert.equal(pieces[k]!.dir, -pieces[k - 1]!.dir, 'branches alternate');
    const x = chart.series[0]!.x as number[];
    const [lo, hi] = [Math.min(...x), Math.max(...x)];
    assert.ok(chart.xRange[0] <= lo && chart.xRange[1] >= hi, `axis ${chart.xRange} holds ${lo}..${hi}`);
    assert.ok(chart.xRange[1] - chart.xRange[0] < 1.2 * (hi - lo), 'and not much more');
    assert.equal(chart.xTitle, 'Vg (V)');
    assert.match(chart.yTitle, /^I \((µA|nA|mA)\)$/);
    assert.equal(new Set(chart.yLabels).size, chart.yLabels.length, `y ticks ${chart.yLabels.join(' ')}`);
    assert.equal(new Set(chart.xLabels).size, chart.xLabels.length);
    assert.match(await page.locator('#chart-note').innerText(), /forward .* backward/);
    await screenshot(page, 'run-ivg.png');
  });

  it('reads the value under the pointer with its unit, toggles log |I|, zooms to exact points and restores on double-click', async () => {
    const run = runs.find((r) => r.proc === 'It' && r.has_light === true && (r.laser_period_s ?? 0) > 0 && r.rows > 100)!;
    await open(page, s.server.url, `#/run/${run.run_id}`);
    const chart = await chartState(page);
    const home = chart.xRange;
    const k = Math.floor(chart.series[0]!.x.length / 3);
    const [x, y] = [chart.series[0]!.x[k]!, chart.series[0]!.y[k]!];
    const at = await pointOnPage(page, x, y);
    await page.mouse.move(at.x, at.y);
    const readout = await page.locator('#chart .readout').innerText();
    const shown = /I = (−?[\d.]+) (nA|µA|mA)/.exec(readout);
    assert.ok(shown, `readout: ${readout}`);
    const scale = { nA: 1e-9, µA: 1e-6, mA: 1e-3 }[shown[2] as 'nA'];
    assert.ok(Math.abs(Number(shown[1]!.replace('−', '-')) * scale - y) <= Math.abs(y) * 1e-3, `${readout} for ${y}`);

    const log = page.getByRole('button', { name: 'log |I|' });
    await log.click();
    assert.equal(await log.getAttribute('aria-pressed'), 'true');
    assert.equal((await chartState(page)).yKind, 'log');
    await log.click();
    assert.equal((await chartState(page)).yKind, 'linear');

    // Zoom into the second half of the laser period: the shading must stay inside the plot.
    const period = run.laser_period_s!;
    const from = await pointOnPage(page, period * 0.75, y);
    const to = await pointOnPage(page, period * 1.4, y);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('#chart[data-zoomed="exact"]');
    const zoomed = await chartState(page);
    assert.ok(zoomed.xRange[0] > home[0] && zoomed.xRange[1] < home[1]);
    const spill = await page.locator('#chart canvas.chart-main').evaluate((canvas: any, frame) => {
      const ratio = canvas.width / canvas.clientWidth;
      const { data } = canvas.getContext('2d').getImageData(Math.floor((frame.left - 3) * ratio), Math.floor(frame.top * ratio), 1, Math.floor(frame.height * ratio));
      let orange = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! > 230 && data[i + 1]! > 190 && data[i + 1]! < 240 && data[i + 2]! < 215) orange++;
      return orange;
    }, zoomed.frame);
    assert.equal(spill, 0, 'no laser shading left of the plot after a zoom');
    await page.locator('#chart .chart-box').dblclick({ position: { x: zoomed.frame.left + 20, y: zoomed.frame.top + 20 } });
    const restored = await chartState(page);
    assert.deepEqual(restored.xRange, home);
    assert.equal(restored.series[0]!.x.length, chart.series[0]!.x.length);
    await screenshot(page, 'run.png');
  });

  it('gives the chart keyboard access and named controls', async () => {
    const before = await chartState(page);
    for (const name of ['Zoom in', 'Zoom out', 'Reset the zoom: show everything', /as PNG$/, /as SVG$/, /as CSV$/]) {
      assert.equal(await page.getByRole('button', { name }).count(), 1, String(name));
    }
    await page.locator('#chart .chart-box').focus();
    assert.match((await page.locator('#chart .chart-box').getAttribute('aria-label')) ?? '', /arrow keys .* \+ and − to zoom/);
    await page.keyboard.press('+');
    const zoomed = await chartState(page);
    assert.ok(zoomed.xRange[1] - zoomed.xRange[0] < (before.xRange[1] - before.xRange[0]) * 0.6);
    await page.keyboard.press('ArrowRight');
    assert.ok((await chartState(page)).xRange[0] > zoomed.xRange[0]);
    await page.keyboard.press(']');
    assert.match(await page.locator('#chart .readout').innerText(), /I = /);
    await page.keyboard.press('0');
    assert.deepEqual((await chartState(page)).xRange, before.xRange);
  });

  it('overlays more than 8 runs in distinct colours, fetching each run once', async () => {
    const run = runs.find((r) => r.proc === 'It' && r.chip_name === chip.chip_name)!;
    await open(page, s.server.url, `#/run/${run.run_id}`);
    series.clear();
    const boxes = page.locator('.overlay input[type=checkbox]');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.overlay input[type=checkbox]').length >= 10);
    const started = Date.now();
    for (let k = 0; k < 10; k++) {
      await boxes.nth(k).check();
      await page.waitForFunction((n) => (globalThis as any).document.querySelector('#chart').strataChart.spec.series.length === n, k + 2);
    }
    const elapsed = Date.now() - started;
    const chart = await chartState(page);
    assert.equal(chart.series.length, 11);
    assert.equal(new Set(chart.series.map((c: { color: string }) => c.color)).size, 11, 'eleven colours');
    assert.ok([...series.values()].every((n) => n === 1), `series fetched ${JSON.stringify([...series])}`);
    assert.equal(series.size, 10, 'the ten overlays, each once (this run was fetched before)');
    assert.ok(elapsed < 8000, `ticking 10 boxes took ${elapsed} ms`);
  });

  it('never shows an error page when a link is clicked soon after "next run" (12 tries)', async () => {
    const run = runs.find((r) => r.proc === 'It' && r.chip_name === chip.chip_name)!;
    for (let k = 0; k < 12; k++) {
      await open(page, s.server.url, `#/run/${run.run_id}`);
      await page.locator('a', { hasText: 'next run →' }).click();
      await page.waitForTimeout(k * 10);
      await page.locator('nav a', { hasText: 'Overview' }).click();
      await ready(page, '#/');
      assert.doesNotMatch(await page.locator('main').innerText(), /Something went wrong|Cannot set properties/);
      assert.match(await page.locator('main h1').innerText(), /Overview/);
    }
  });

  it('says that an unknown chip does not exist', async () => {
    await open(page, s.server.url, '#/chip/Nobody99');
    assert.equal(await page.locator('main h1').innerText(), 'Not found');
    assert.match(await page.locator('main .error').innerText(), /no chip 'Nobody99'/);
  });

  it('searches by chip, procedure, dates and summary text, a page at a time', async () => {
    await open(page, s.server.url, '#/search');
    await page.locator('input[name=chip]').fill(chip.chip_name);
    await page.locator('select[name=proc]').selectOption('It');
    await page.locator('input[name=text]').fill('λ=');
    await page.getByRole('button', { name: 'Search' }).click();
    const hash = `#/search?chip=${chip.chip_name}&proc=It&text=%CE%BB%3D`;
    await ready(page, hash);
    const api = (await getJson(s.server, `/api/search?chip=${chip.chip_name}&proc=It&text=%CE%BB%3D&limit=100`)).body;
    assert.match(await page.locator('main').innerText(), new RegExp(`${api.total} runs match`));
    const shown = await page.locator('main table tbody tr').count();
    assert.equal(shown, Math.min(100, api.total));
    await screenshot(page, 'search.png');
  });

  it('shows the derived metrics (CNP over time, photoresponse against power on a log axis) and the IVg family by date', async () => {
    await open(page, s.server.url, `#/chip/${chip.chip_name}/metrics`);
    assert.match(await page.locator('main .notice').innerText(), /strata derive/);
    await writeMetricsFixture(s.lake.config.manifestPath, s.metricsPath);
    await open(page, s.server.url, `#/chip/${chip.chip_name}/metrics?again`);
    const cnp = await chartState(page, 'figure.chart', 0);
    const metrics = (await getJson(s.server, `/api/chips/${chip.chip_name}/metrics`)).body.runs;
    assert.equal(cnp.series.reduce((a: number, c: { x: unknown[] }) => a + c.x.length, 0), metrics.filter((r: any) => r.metrics.cnp_voltage).length);
    assert.equal(cnp.xTitle, 'local date and time');
    assert.equal(cnp.yTitle, 'CNP (V)');
    const power = await chartState(page, 'figure.chart', 1);
    assert.equal(power.xTitle, 'laser power');
    assert.ok(power.xLabels.every((l) => /[nµm]?W$/.test(l)), power.xLabels.join(' '));
    await screenshot(page, 'metrics.png', true);

    await open(page, s.server.url, `#/chip/${chip.chip_name}/family?proc=IVg`);
    const family = await chartState(page, 'figure.chart');
    const ivg = runs.filter((r) => r.proc === 'IVg' && r.chip_name === chip.chip_name);
    assert.equal(family.series.length, ivg.length);
    assert.ok(new Set(family.series.map((c: { color: string }) => c.color)).size >= 2, 'coloured by date');
    await screenshot(page, 'family.png');
  });

  it('downloads any chart as SVG (nothing in it runs), PNG, and its data as CSV', async () => {
    const download = async (name: RegExp) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).first().click()]);
      return { name: file.suggestedFilename(), body: readFileSync((await file.path())!) };
    };
    const svg = await download(/as SVG$/);
    assert.match(svg.name, /\.svg$/);
    const text = svg.body.toString('utf8');
    assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(text, /<script|\son[a-z]+=/i);
    assert.ok((text.match(/<polyline /g) ?? []).length > 3);
    const png = await download(/as PNG$/);
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const csv = await download(/as CSV$/);
    const lines = csv.body.toString('utf8').trim().split(/\r\n/);
    assert.equal(lines[0], 'series,Vg (V),I (A),run_id,date_local');
    assert.ok(lines.length > 10);
  });

  it('loaded every file and answer it asked for: no 404 (favicon included), no script error', () => {
    assert.deepEqual(failures, []);
  });
});
