// strata serve in a real browser (Debian's chromium through playwright-core): overview, a chip's timeline, a run's chart.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chipHistory } from '../../src/history/chip-history.js';
import { openManifest } from '../../src/history/manifest-query.js';
import { projectRoot } from '../../src/version.js';
import { getJson, serveGeneratedLake, type ServedLake } from './serve-lake.js';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env['STRATA_REQUIRE_BROWSER'] === '1';
const skip = existsSync(CHROMIUM) ? false : required ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`;
const screenshots = process.env['STRATA_WRITE_SCREENSHOTS'] === '1' ? path.join(projectRoot, 'docs', 'screenshots') : null;

describe('strata serve in a browser', { skip }, () => {
  let s: ServedLake;
  let browser: Browser;
  let page: Page;
  let shownChip: { chip_group: string; chip_number: number } | undefined;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `STRATA_REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM}`);
    s = await serveGeneratedLake(60);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'], // playwright gives each launch a fresh profile
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => assert.ok(r.url().startsWith(s.server.url), `the page asked for ${r.url()}`));
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const ready = async (hash: string) => page.waitForFunction((h) => (globalThis as any).document.body.dataset['ready'] === h, hash);

  it('opens the overview, then a chip whose timeline lists the manifest runs in order', async () => {
    await page.goto(s.server.url);
    await ready('#/');
    assert.match(await page.locator('main h1').innerText(), /Overview/);
    await page.locator('nav a', { hasText: 'Chips' }).click();
    await ready('#/chips');
    const chips = (await getJson(s.server, '/api/chips')).body.chips;
    const biggest = chips.reduce((a: any, c: any) => (c.runs > a.runs ? c : a));
    shownChip = biggest;
    await page.locator('table.chips a', { hasText: biggest.chip_name }).click();
    await page.waitForSelector('#timeline .mark');
    const shown = await page.locator('#timeline .mark').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')));
    const m = await openManifest(s.lake.config.manifestPath);
    const history = await chipHistory(m, { chip: biggest.chip_number, group: biggest.chip_group, localTz: s.lake.config.localTz });
    m.close();
    assert.deepEqual(shown, history.runs.map((r) => r.run_id));
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'chip.png'), fullPage: false });
  });

  it("opens a run from the timeline, draws every point of a small run, and overlays another run", async () => {
    const m = await openManifest(s.lake.config.manifestPath);
    const [run] = await m.conn.all<{ run_id: string; rows: number }>(
      `SELECT run_id, rows FROM ${m.source} WHERE proc = 'It' AND has_light AND rows < 2000 AND chip_group = $g AND chip_number = $n ORDER BY rows DESC LIMIT 1`,
      { g: shownChip!.chip_group, n: shownChip!.chip_number },
    );
    m.close();
    assert.ok(run, 'the chip shown has a lit It run');
    await page.locator(`#timeline .mark[data-run-id="${run.run_id}"]`).click();
    await ready(`#/run/${run.run_id}`);
    await page.waitForSelector('#chart[data-drawn="yes"] canvas');
    assert.equal(await page.locator('#chart').getAttribute('data-points'), String(run.rows));
    const inked = await page.locator('#chart canvas').evaluate((canvas: any) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    assert.ok(inked > 1000, `${inked} pixels drawn`);
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'run.png'), fullPage: false });
    const others = page.locator('.overlay input');
    assert.ok((await others.count()) > 0, 'the chip has other It runs to overlay');
    await others.first().check();
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#chart .u-legend .u-series').length === 3);
  });
});
