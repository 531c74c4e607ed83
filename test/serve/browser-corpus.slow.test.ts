// The real lab corpus in the browser: its sweeps (IVg, IV) drawn in each raw file's row order on axes that hold
// them, its time traces shaded where the laser was on. Runs when the shared corpus is there.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openManifest } from '../../src/history/manifest-query.js';
import { projectRoot } from '../../src/version.js';
import { stageInto } from '../support/stage-lake.js';
import { browserSkip, chartState, launchBrowser, open, rawColumn, screenshot } from './browser-support.js';
import { getJson, serveLake, type ServedLake } from './serve-lake.js';
import { runCli } from '../support/run-cli.js';

const CORPUS = [path.resolve(projectRoot, '../shared/corpus/lab'), path.resolve(projectRoot, '../../shared/corpus/lab')].find((p) => existsSync(p));
if (CORPUS === undefined && process.env['STRATA_REQUIRE_CORPUS'] === '1') throw new Error('STRATA_REQUIRE_CORPUS=1 but the shared corpus is not beside the project');
const skip = browserSkip || (CORPUS === undefined ? 'the shared corpus is not beside the project' : false);

interface Run {
  run_id: string;
  proc: string;
  source_file: string;
  rows: number;
  chip_name: string | null;
  span: number | null;
}

/** The x column of each sweep procedure, as the raw files write it. */
const SWEEP_X: Readonly<Record<string, string>> = { IVg: 'Vg (V)', IV: 'Vsd (V)' };

describe('the real corpus in a browser', { skip }, () => {
  let s: ServedLake;
  let browser: Browser;
  let page: Page;
  let runs: Run[];
  const errors: string[] = [];

  before(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-serve-corpus-'));
    s = await serveLake(dir, await stageInto(CORPUS!, dir));
    const m = await openManifest(s.lake.config.manifestPath);
    runs = await m.conn.all<Run & Record<string, unknown>>(
      `SELECT run_id, proc, source_file, rows, chip_name, abs(coalesce(vg_end_v, vsd_end_v, 0)) AS span FROM ${m.source} ORDER BY run_id`,
    );
    m.close();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  for (const proc of Object.keys(SWEEP_X)) {
    it(`draws ${proc} sweeps in each raw file's row order, on an x axis that holds the whole sweep`, async () => {
      const all = runs.filter((r) => r.proc === proc && r.rows > 2);
      assert.ok(all.length > 0, `the corpus has ${proc} runs`);
      // The widest, the longest and a spread of the others.
      const byRows = [...all].sort((a, b) => b.rows - a.rows);
      const bySpan = [...all].sort((a, b) => (b.span ?? 0) - (a.span ?? 0));
      const picked = [...new Set([bySpan[0]!, byRows[0]!, ...all.filter((_, k) => k % Math.max(1, Math.floor(all.length / 6)) === 0)])];
      for (const run of picked) {
        await open(page, s.server.url, `#/run/${run.run_id}`);
        const chart = await chartState(page);
        const file = path.join(CORPUS!, run.source_file);
        const x = rawColumn(file, SWEEP_X[proc]!);
        const y = rawColumn(file, 'I (A)');
        const drawn = chart.series[0]!;
        if (drawn.x.length === x.length) {
          assert.deepEqual(drawn.x, x, `${run.source_file}: drawn in the file's order`);
          assert.deepEqual(drawn.y, y, run.source_file);
        } else {
          // A long sweep arrives thinned: its points are still the file's rows, in the file's order.
          let row = 0;
          for (let k = 0; k < drawn.x.length; k++) {
            while (row < x.length && !(x[row] === drawn.x[k] && y[row] === drawn.y[k])) row++;
            assert.ok(row < x.length, `${run.source_file}: point ${k} (${drawn.x[k]}, ${drawn.y[k]}) is not a later row of the file`);
            row++;
          }
        }
        const values = x.filter((v): v is number => v !== null);
        const [lo, hi] = [Math.min(...values), Math.max(...values)];
        assert.ok(chart.xRange[0] <= lo && chart.xRange[1] >= hi, `${run.source_file}: axis ${chart.xRange} holds ${lo}..${hi}`);
        assert.ok(chart.xRange[1] - chart.xRange[0] <= 1.2 * (hi - lo) + 1e-9, `${run.source_file}: axis ${chart.xRange} for ${lo}..${hi}`);
        const pieces = chart.pieces[0]!;
        for (let k = 1; k < pieces.length; k++) assert.equal(pieces[k]!.dir, -pieces[k - 1]!.dir, `${run.source_file}: branches alternate`);
      }
      if (proc === 'IVg') await screenshot(page, 'run-ivg-lab.png');
    });
  }

  it("shades an It run's laser period and draws the IVg family of the chip with the most of them", async () => {
    const lit = runs.find((r) => r.proc === 'It' && r.rows > 100)!;
    await open(page, s.server.url, `#/run/${lit.run_id}`);
    const chart = await chartState(page);
    assert.equal(chart.xTitle, 't (s)');
    const counts = new Map<string, number>();
    for (const r of runs) if (r.proc === 'IVg' && r.chip_name) counts.set(r.chip_name, (counts.get(r.chip_name) ?? 0) + 1);
    const [chip, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    await open(page, s.server.url, `#/chip/${chip}/family?proc=IVg`);
    const family = await chartState(page, 'figure.chart');
    assert.equal(family.series.length, n);
    await screenshot(page, 'family-lab.png');
    assert.deepEqual(errors, []);
  });

  it("shows the metrics `strata derive` computes from the corpus: the CNP over time with each sweep direction's, the photoresponse", async () => {
    const derive = await runCli(['derive', '--manifest', s.lake.config.manifestPath, '--stage-root', s.lake.config.stageRoot,
      '--derived-root', path.dirname(path.dirname(s.metricsPath)), '--no-histories', '--quiet']);
    assert.equal(derive.code, 0, derive.stderr);
    const chip = 'Alisson67';
    const metrics = (await getJson(s.server, `/api/chips/${chip}/metrics`)).body;
    assert.equal(metrics.state.kind, 'ready');
    await open(page, s.server.url, `#/chip/${chip}/metrics`);
    const cnp = await chartState(page, 'figure.chart', 0);
    const drawn = (label: string) => cnp.series.filter((c: { label: string }) => c.label === label).reduce((a: number, c: { x: unknown[] }) => a + c.x.length, 0);
    const having = (name: string) => metrics.runs.filter((r: any) => typeof r.metrics[name]?.value === 'number').length;
    assert.equal(drawn('dark') + drawn('lit') + drawn('light unknown'), having('cnp_voltage'));
    assert.equal(drawn('forward sweep'), having('cnp_forward'));
    assert.equal(cnp.yTitle, 'CNP (mV)');
    const power = await chartState(page, 'figure.chart', 1);
    assert.ok(power.xLabels.length >= 3, `power ticks ${power.xLabels.join(' ')}`);
    await screenshot(page, 'metrics-lab.png', true);
    assert.deepEqual(errors, []);
  });
});
