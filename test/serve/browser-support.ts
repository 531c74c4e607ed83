// What the browser tests share: Debian's chromium through playwright-core, waiting for a route to be drawn, the
// raw file's own row order, the chart's state as the page holds it, and screenshots for docs/screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../src/version.js';

export const CHROMIUM = '/usr/bin/chromium';
const required = process.env['STRATA_REQUIRE_BROWSER'] === '1';
export const browserSkip = existsSync(CHROMIUM) ? false : required ? false : `no chromium at ${CHROMIUM} (apt-get install -y chromium)`;
const screenshots = process.env['STRATA_WRITE_SCREENSHOTS'] === '1' ? path.join(projectRoot, 'docs', 'screenshots') : null;

export async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `STRATA_REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'], // playwright gives each launch a fresh profile
  });
}

/** Opens `hash` (loading the page only when it is not open yet) and waits until the page says it is drawn. */
export async function open(page: Page, base: string, hash: string): Promise<void> {
  if (page.url().startsWith(base)) await page.evaluate((h) => ((globalThis as any).location.hash = h), hash);
  else await page.goto(new URL(hash, base).href);
  await ready(page, hash);
}

export async function ready(page: Page, hash: string): Promise<void> {
  await page.waitForFunction((h) => (globalThis as any).document.body.dataset['ready'] === h, hash);
}

/** The chart's figure state: its series' x and y as drawn, its scales and pieces (drawing order). */
export async function chartState(page: Page, selector = '#chart', nth = 0) {
  await page.waitForFunction(([sel, n]) => (globalThis as any).document.querySelectorAll(sel)[n]?.dataset.drawn === 'yes', [selector, nth] as const);
  return page.locator(selector).nth(nth).evaluate((figure: any) => {
    const chart = figure.strataChart;
    const scene = chart.scene();
    return {
      series: chart.spec.series.map((s: any) => ({ label: s.label, color: s.color, x: [...s.x], y: [...s.y], sweep: Boolean(s.sweep) })),
      pieces: chart.pieces(),
      xRange: [scene.xs.min, scene.xs.max] as [number, number],
      yRange: [scene.ys.min, scene.ys.max] as [number, number],
      frame: scene.frame as { left: number; top: number; width: number; height: number },
      yKind: scene.ys.kind as string,
      xLabels: scene.xTicks.labels as string[],
      yLabels: scene.yTicks.labels as string[],
      xTitle: scene.xTicks.title as string,
      yTitle: scene.yTicks.title as string,
    };
  });
}

/** The page's pixel, in CSS pixels of the chart box, for the data point (x, y). */
export async function pointOnPage(page: Page, x: number, y: number, selector = '#chart'): Promise<{ x: number; y: number }> {
  const at = await page.locator(selector).evaluate((figure: any, [vx, vy]) => {
    const scene = figure.strataChart.scene();
    return { x: scene.xs.px(vx), y: scene.ys.px(vy) };
  }, [x, y] as const);
  const box = (await page.locator(`${selector} .chart-box`).boundingBox())!;
  return { x: box.x + at.x, y: box.y + at.y };
}

/** One column of a raw instrument file, in the file's row order (the table after `#Data:`). */
export function rawColumn(file: string, header: string): (number | null)[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('#Data:'));
  const names = lines[start + 1]!.split(',');
  const k = names.indexOf(header);
  assert.ok(k >= 0, `${file} has no column ${header}: ${names.join(', ')}`);
  return lines.slice(start + 2).filter((l) => l.trim() !== '').map((l) => {
    const v = Number(l.split(',')[k]);
    return Number.isFinite(v) ? v : null;
  });
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, name), fullPage });
}
