// Nothing a file holds runs in the page: a lake whose manifest, data columns, rejects and metrics carry markup and
// script in every field the page shows (procedure, group, summary, source path, warnings, columns, parameters),
// written directly (lakes staged before names were checked hold such values), browsed page by page in chromium.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Engine, sqlIdentifier, sqlLiteral, type EngineConnection } from '../../src/engine/duckdb.js';
import { writeRejectRecord } from '../../src/lake/reject-records.js';
import { browserSkip, launchBrowser, open } from './browser-support.js';
import { getJson, serveGeneratedLake, type ServedLake } from './serve-lake.js';

/** Each one, run as script or markup, sets window.__xss or the title; shown as text, it does nothing. */
const PROC = `<a.x" tabindex="1" autofocus onfocus="document['title']='XSSFIRED'" y=">`;
const GROUP = `"><img src=x onerror="window.__xss='group'">`;
const SUMMARY = `<script>window.__xss='summary'</script><b onmouseover="window.__xss='b'">bold</b>`;
const SOURCE = `2025-09-01/<svg onload="window.__xss='source'">.csv`;
const WARNING = `<iframe srcdoc="<script>parent.__xss='warning'</script>"></iframe>`;
const INFORMATION = `javascript:window.__xss='information'`;
const COLUMN_X = `<img src=y onerror="window.__xss='column'">`;
const COLUMN_Y = `"><details open ontoggle="window.__xss='toggle'">`;
const METRIC = `<img src=z onerror="window.__xss='metric'">`;

async function rewriteManifest(conn: EngineConnection, file: string, sql: string): Promise<void> {
  await conn.run(`COPY (${sql.replaceAll('MANIFEST', `read_parquet(${sqlLiteral(file)})`)}) TO ${sqlLiteral(`${file}.tmp`)} (FORMAT parquet)`);
  renameSync(`${file}.tmp`, file);
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
}

describe('a hostile lake in the browser', { skip: browserSkip }, () => {
  let s: ServedLake;
  let browser: Browser;
  let page: Page;
  let hostileRun: string;
  let hostileChip: string;
  const violations: string[] = [];

  before(async () => {
    s = await serveGeneratedLake(60, undefined, { days: 2, chips: 2 });
    const engine = await Engine.open();
    const conn = await engine.connect();
    const manifest = s.lake.config.manifestPath;
    const [chip] = await conn.all<{ chip_group: string; chip_number: number }>(
      `SELECT chip_group, chip_number FROM read_parquet(${sqlLiteral(manifest)}) WHERE chip_number IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`,
    );
    const [it] = await conn.all<{ run_id: string; path: string }>(
      `SELECT run_id, path FROM read_parquet(${sqlLiteral(manifest)}) WHERE proc = 'It' AND chip_group = $g AND chip_number = $n ORDER BY run_id LIMIT 1`,
      { g: chip!.chip_group, n: chip!.chip_number },
    );
    hostileRun = it!.run_id;
    hostileChip = `${GROUP}${chip!.chip_number}`;
    // The chip's group, every summary, two procedures, a source path, warnings and a parameter turn hostile.
    await rewriteManifest(conn, manifest, `SELECT * REPLACE (
        CASE WHEN chip_group = ${sqlLiteral(chip!.chip_group)} AND chip_number = ${chip!.chip_number} THEN ${sqlLiteral(GROUP)} ELSE chip_group END AS chip_group,
        CASE WHEN chip_group = ${sqlLiteral(chip!.chip_group)} AND chip_number = ${chip!.chip_number} THEN ${sqlLiteral(hostileChip)} ELSE chip_name END AS chip_name,
        CASE WHEN run_id = ${sqlLiteral(hostileRun)} OR proc = 'Tt' THEN ${sqlLiteral(PROC)} ELSE proc END AS proc,
        summary || ' ' || ${sqlLiteral(SUMMARY)} AS summary,
        CASE WHEN run_id = ${sqlLiteral(hostileRun)} THEN ${sqlLiteral(SOURCE)} ELSE source_file END AS source_file,
        ${sqlLiteral(JSON.stringify([WARNING, PROC]))} AS warnings,
        ${sqlLiteral(INFORMATION)} AS information
      ) FROM MANIFEST`);
    // The hostile run's data file gets hostile column names.
    const data = path.join(s.lake.config.stageRoot, it!.path);
    await conn.run(`COPY (SELECT t_s AS ${sqlIdentifier(COLUMN_X)}, i_a AS ${sqlIdentifier(COLUMN_Y)}, * EXCLUDE (t_s, i_a)
      FROM read_parquet(${sqlLiteral(data)}, hive_partitioning = false)) TO ${sqlLiteral(`${data}.tmp`)} (FORMAT parquet)`);
    renameSync(`${data}.tmp`, data);
    mkdirSync(path.dirname(s.metricsPath), { recursive: true });
    writeRejectRecord(s.lake.config.rejectsDir, { source_file: SOURCE, error: `${SOURCE}: ${WARNING}`, error_type: 'bad-data', ts: new Date().toISOString(), source_size: 1, source_mtime_ms: 1 });
    await conn.run(`COPY (SELECT run_id, chip_group, chip_number, proc, CASE WHEN proc = 'IVg' THEN 'cnp_voltage' ELSE ${sqlLiteral(METRIC)} END AS metric_name,
        0.5 AS value_float, ${sqlLiteral(METRIC)} AS unit, ${sqlLiteral(METRIC)} AS method, 'x' AS extraction_version, 0.9 AS confidence, ${sqlLiteral(SUMMARY)} AS flags
      FROM read_parquet(${sqlLiteral(manifest)})) TO ${sqlLiteral(s.metricsPath)} (FORMAT parquet)`);
    conn.close();
    engine.close();

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await page.addInitScript(() => {
      const g = globalThis as any;
      g.__violations = [];
      g.document.addEventListener('securitypolicyviolation', (e: any) => g.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
    });
    page.on('dialog', (d) => {
      violations.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** Nothing ran, no element came from a value, and the hostile text is on the page as text. */
  async function assertNothingRan(where: string, shown: readonly string[]): Promise<void> {
    // Focus everything focusable and hover every row: handlers planted by markup would fire now.
    for (let k = 0; k < 8; k++) await page.keyboard.press('Tab');
    for (const row of (await page.locator('main tbody tr, main label').all()).slice(0, 12)) await row.hover({ timeout: 500 }).catch(() => undefined);
    const state = await page.evaluate(() => {
      const g = globalThis as any;
      const doc = g.document;
      const handlers = [...doc.querySelectorAll('*')].flatMap((e: any) => [...e.attributes].filter((a: any) => /^on/i.test(a.name)).map((a: any) => `${e.tagName} ${a.name}`));
      return {
        xss: g.__xss ?? null,
        title: doc.title,
        handlers,
        planted:
          doc.querySelectorAll('img, iframe, svg, object, embed, script:not([src])').length +
          [...doc.querySelectorAll('b, details')].filter((e: any) => e.textContent === 'bold' || e.hasAttribute('ontoggle')).length,
        violations: g.__violations,
        text: doc.querySelector('main').innerText as string,
      };
    });
    assert.equal(state.xss, null, `${where}: script ran`);
    assert.notEqual(state.title, 'XSSFIRED', `${where}: the focus handler ran`);
    assert.deepEqual(state.handlers, [], `${where}: elements with inline handlers`);
    assert.equal(state.planted, 0, `${where}: elements made from a value`);
    assert.deepEqual(state.violations, [], `${where}: the page tried something the policy forbids`);
    for (const text of shown) assert.ok(state.text.includes(text), `${where} shows ${text} as text`);
    assert.deepEqual(violations, [], where);
  }

  it('overview: procedures, chips, summaries and rejects are shown as text', async () => {
    await open(page, s.server.url, '#/');
    await assertNothingRan('overview', [SUMMARY, SOURCE, WARNING]);
  });

  it('chips and the hostile chip: its name, group, timeline and history', async () => {
    await open(page, s.server.url, '#/chips');
    await assertNothingRan('chips', [hostileChip, GROUP]);
    await page.locator('table.chips a', { hasText: hostileChip }).click();
    await page.waitForFunction(() => (globalThis as any).document.body.dataset['ready']?.startsWith('#/chip/'));
    await assertNothingRan('chip', [hostileChip, PROC, SUMMARY]);
    const timeline = page.locator('figure.chart .chart-box');
    const box = (await timeline.boundingBox())!;
    for (let x = 80; x < box.width; x += 60) await page.mouse.move(box.x + x, box.y + box.height / 2);
    await assertNothingRan('chip timeline', []);
  });

  it('search and the runs of a day list hostile summaries as text', async () => {
    await open(page, s.server.url, '#/search?text=script');
    await assertNothingRan('search', [SUMMARY]);
    const day = (await getJson(s.server, '/api/overview')).body.per_day[0].date;
    await open(page, s.server.url, `#/runs?date=${day}`);
    await assertNothingRan('runs of a day', [SUMMARY]);
  });

  it('the hostile run: procedure, source path, warnings, parameters, column names, the chart and its SVG', async () => {
    await open(page, s.server.url, `#/run/${hostileRun}`);
    await assertNothingRan('run', [PROC, SOURCE, WARNING, INFORMATION, COLUMN_X, COLUMN_Y, SUMMARY]);
    // The YAML knows no such procedure: draw the hostile columns against each other.
    const form = page.locator('form[aria-label="Columns to draw"]');
    await form.locator('select[name=x]').selectOption(COLUMN_X);
    await form.locator('select[name=y]').selectOption(COLUMN_Y);
    await form.getByRole('button', { name: 'Draw' }).click();
    await page.waitForSelector('#chart[data-drawn="yes"]');
    const box = (await page.locator('#chart .chart-box').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await assertNothingRan('run chart', [COLUMN_Y]);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /as SVG$/ }).click()]);
    const svg = readFileSync((await file.path())!, 'utf8');
    const tags = new Set([...svg.matchAll(/<\/?([A-Za-z]+)/g)].map((m) => m[1]));
    assert.deepEqual([...tags].filter((t) => !['svg', 'defs', 'clipPath', 'rect', 'line', 'polyline', 'polygon', 'g', 'circle', 'text'].includes(t!)), [], 'only drawing elements');
    assert.doesNotMatch(svg, /<[^>]*\son[a-z]+=/i, 'no handler attribute in any tag');
    assert.ok(svg.includes('&lt;img src=y onerror=&quot;'), 'the column name is in the SVG, escaped');
  });

  it("the hostile chip's derived metrics and family", async () => {
    await open(page, s.server.url, `#/chip/${encodeURIComponent(hostileChip)}/metrics`);
    await assertNothingRan('metrics', []);
    await open(page, s.server.url, `#/chip/${encodeURIComponent(hostileChip)}/family?proc=IVg`);
    await assertNothingRan('family', []);
  });
});
