// strata serve's JSON API on a generated lake: every route, bad ids and parameters, traversal attempts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { utimesSync } from 'node:fs';
import { chipHistory } from '../../src/history/chip-history.js';
import { openManifest } from '../../src/history/manifest-query.js';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { projectRoot } from '../../src/version.js';
import path from 'node:path';
import { getJson, serveGeneratedLake, type ServedLake } from './serve-lake.js';

describe('strata serve API', () => {
  let s: ServedLake;
  let runs: Record<string, any>[];
  before(async () => {
    // Two groups share chip 67: a bare number names it only with a group.
    s = await serveGeneratedLake(80, undefined, { days: 4, chips: [{ group: 'Alisson', number: 67 }, { group: 'Bruno', number: 67 }, { group: 'Carla', number: 81 }] });
    const m = await openManifest(s.lake.config.manifestPath);
    runs = await m.conn.all(`SELECT run_id, proc, rows, chip_group, CAST(chip_number AS INTEGER) AS chip_number, has_light, laser_period_s FROM ${m.source}`);
    m.close();
  });
  after(async () => s.close());

  it('lists every chip with its run count', async () => {
    const { status, body } = await getJson(s.server, '/api/chips');
    assert.equal(status, 200);
    const total = body.chips.reduce((a: number, c: any) => a + c.runs, 0);
    assert.equal(total, runs.filter((r) => r.chip_number !== null && r.chip_group !== null).length);
    const group = body.chips[0].chip_group;
    const filtered = await getJson(s.server, `/api/chips?group=${group}`);
    assert.ok(filtered.body.chips.every((c: any) => c.chip_group === group));
  });

  it("gives a chip's runs in the order and numbering of strata history, with filters and CSV", async () => {
    const chip = (await getJson(s.server, '/api/chips')).body.chips[0];
    const { body } = await getJson(s.server, `/api/chips/${chip.chip_number}/runs?group=${chip.chip_group}`);
    const m = await openManifest(s.lake.config.manifestPath);
    const expected = await chipHistory(m, { chip: chip.chip_number, group: chip.chip_group, localTz: s.lake.config.localTz });
    m.close();
    assert.deepEqual(body.runs.map((r: any) => r.run_id), expected.runs.map((r) => r.run_id));
    const lit = await getJson(s.server, `/api/chips/${chip.chip_number}/runs?group=${chip.chip_group}&light=yes`);
    assert.deepEqual(lit.body.runs.map((r: any) => r.seq), expected.runs.filter((r) => r.has_light === true).map((r) => r.seq));
    const csv = await fetch(new URL(`/api/chips/${chip.chip_number}/runs?group=${chip.chip_group}&format=csv`, s.server.url));
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    assert.equal(lines[0], 'seq,date_local,time_local,proc,has_light,summary,file_idx,run_id,source_file');
    assert.equal(lines.length, expected.runs.length + 1);
  });

  it("gives a run's manifest row, its plot, its neighbours and code snippets", async () => {
    const run = runs.find((r) => r.proc === 'IVg')!;
    const { status, body } = await getJson(s.server, `/api/runs/${run.run_id}`);
    assert.equal(status, 200);
    assert.equal(body.run.run_id, run.run_id);
    assert.deepEqual(body.plot, { x: 'vg_v', y: ['i_a'], sweep: true });
    assert.equal(body.has_file, true);
    assert.match(body.snippets.duckdb, /read_parquet/);
  });

  it('draws a small run exactly and a large one downsampled, with the laser periods of an It run', async () => {
    const it = runs.find((r) => r.proc === 'It' && r.has_light === true && r.laser_period_s > 0)!;
    const exact = (await getJson(s.server, `/api/runs/${it.run_id}/series?points=100000`)).body;
    assert.equal(exact.exact, true);
    assert.equal(exact.data[0].length, Number(it.rows));
    assert.equal(exact.data.length, 2);
    const p = Number(it.laser_period_s);
    assert.deepEqual(exact.light, [{ from: 0, to: p / 2, on: false }, { from: p / 2, to: p, on: true }, { from: p, to: 1.5 * p, on: false }]);
    const small = (await getJson(s.server, `/api/runs/${it.run_id}/series?points=30`)).body;
    assert.equal(small.exact, false);
    assert.ok(small.data[0].length <= 30 && small.data[0].length >= 10, `${small.data[0].length} points`);
    const ys: number[] = exact.data[1];
    assert.ok(small.data[1].includes(Math.max(...ys)) && small.data[1].includes(Math.min(...ys)), 'keeps the extremes');
    const x: number[] = exact.data[0];
    const zoom = (await getJson(s.server, `/api/runs/${it.run_id}/series?points=100000&from=${x[10]}&to=${x[20]}`)).body;
    assert.deepEqual(zoom.data[0], x.slice(10, 21));
    const other = (await getJson(s.server, `/api/runs/${it.run_id}/series?x=t_s&y=vl_v,i_a`)).body;
    assert.deepEqual(other.y, ['vl_v', 'i_a']);
  });

  it('lists the runs of one day and procedure, behind each bar of the overview', async () => {
    const overview = (await getJson(s.server, '/api/overview')).body;
    const bar = overview.per_day[0];
    const { body } = await getJson(s.server, `/api/runs?date=${bar.date}&proc=${bar.proc}`);
    assert.equal(body.runs.length, bar.runs);
    assert.ok(body.runs.every((r: any) => r.proc === bar.proc && r.date_local === bar.date));
    assert.equal((await getJson(s.server, '/api/runs?date=today')).status, 400);
    for (const date of ['2025-13-45', '2025-02-30', '2025-00-10']) {
      const { status, body: answer } = await getJson(s.server, `/api/runs?date=${date}`);
      assert.equal(status, 400, date);
      assert.match(answer.error, new RegExp(`date must be a calendar date YYYY-MM-DD, got '${date}'`));
    }
  });

  it('answers bad ids, bad parameters, traversal attempts and unknown routes with 404 or 400 and a sentence', async () => {
    const id = runs[0]!.run_id;
    const cases: [string, number][] = [
      ['/api/runs/zz', 404],
      ['/api/runs/0123456789abcdef', 404],
      ['/api/runs/..%2f..%2fetc%2fpasswd', 404],
      ['/api/runs/..%2f..', 404],
      ['/api/runs/%2e%2e/series', 404],
      ['/api/chips/abc/runs', 404],
      ['/api/chips/1/runs?light=maybe', 400],
      ['/api/chips/1/runs?from=yesterday', 400],
      ['/api/chips/1/runs?group=x%27%3B%20DROP', 400],
      [`/api/runs/${id}/series?points=2`, 400],
      [`/api/runs/${id}/series?points=many`, 400],
      [`/api/runs/${id}/series?from=1`, 400],
      [`/api/runs/${id}/series?x=nope&y=i_a`, 400],
      [`/api/runs/${id}/series?x=..%2F..&y=i_a`, 400],
      ['/api/nothing', 404],
      ['/api/runs', 400],
    ];
    for (const [route, code] of cases) {
      const { status, body } = await getJson(s.server, route);
      assert.equal(status, code, route);
      assert.match(body.error, /\w+ .*[.:]/, route);
    }
    const page = await fetch(new URL('/../../etc/passwd', s.server.url));
    assert.equal(page.status, 404);
    const post = await fetch(new URL('/api/chips', s.server.url), { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('serves the page, its modules and a favicon from strata itself', async () => {
    for (const route of ['/', '/app.js', '/plot.js', '/dom.js', '/app.css', '/favicon.svg', '/favicon.ico']) {
      const res = await fetch(new URL(route, s.server.url));
      assert.equal(res.status, 200, route);
      assert.doesNotMatch(await res.text(), /https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/i, `${route} fetches nothing from outside`);
    }
    assert.match((await fetch(new URL('/favicon.ico', s.server.url))).headers.get('content-type') ?? '', /image\/svg\+xml/);
    const page = await (await fetch(s.server.url)).text();
    const modules = readdirSync(path.join(projectRoot, 'src', 'serve', 'page')).filter((f) => f.endsWith('.js') && f !== 'app.js');
    for (const m of modules) assert.ok(page.includes(`<link rel="modulepreload" href="/${m}">`), `index.html preloads ${m}`);
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)/, 'the page has no inline script');
    assert.doesNotMatch(page, /\son[a-z]+=|style=/i, 'the page has no inline handler or style');
  });

  it('sends every answer with a Content-Security-Policy that allows only its own scripts, and no inline script or style', async () => {
    for (const route of ['/', '/app.js', '/api/overview', '/api/nothing', '/nothing']) {
      const res = await fetch(new URL(route, s.server.url));
      const policy = res.headers.get('content-security-policy') ?? '';
      assert.match(policy, /default-src 'none'/, route);
      assert.match(policy, /script-src 'self'(;|$)/, route);
      assert.match(policy, /style-src 'self'(;|$)/, route);
      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/, route);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', route);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', route);
    }
  });

  it('answers only requests addressed to this machine (a rebound host name gets nothing)', async () => {
    const { request } = await import('node:http');
    const url = new URL('/api/overview', s.server.url);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
    assert.equal(await status('evil.example:8421'), 421);
    assert.equal(await status(`localhost:${url.port}`), 200);
    assert.equal(await status(`127.0.0.1:${url.port}`), 200);
  });

  it('takes a chip by the name /api/chips lists, or by a number only one group has; an unknown chip is a 404 with a sentence', async () => {
    const chips = (await getJson(s.server, '/api/chips')).body.chips as { chip_name: string; chip_group: string; chip_number: number }[];
    assert.deepEqual(chips.map((c) => c.chip_name).sort(), ['Alisson67', 'Bruno67', 'Carla81']);
    const byName = await getJson(s.server, '/api/chips/Alisson67/runs');
    assert.equal(byName.status, 200);
    assert.equal(byName.body.chip_name, 'Alisson67');
    const byGroup = await getJson(s.server, '/api/chips/67/runs?group=Alisson');
    assert.deepEqual(byName.body.runs, byGroup.body.runs);
    assert.deepEqual((await getJson(s.server, '/api/chips/alisson67/runs')).body.runs, byName.body.runs, 'names are matched ignoring case');
    const unique = await getJson(s.server, '/api/chips/81/runs');
    assert.equal(unique.status, 200);
    assert.equal(unique.body.chip_name, 'Carla81');
    const shared = await getJson(s.server, '/api/chips/67/runs');
    assert.equal(shared.status, 400);
    assert.match(shared.body.error, /chip 67 is in 2 groups: name one of Alisson67, Bruno67/);
    for (const unknown of ['Zed99', '999']) {
      const missing = await getJson(s.server, `/api/chips/${unknown}/runs`);
      assert.equal(missing.status, 404, unknown);
      assert.match(missing.body.error, new RegExp(`no chip '${unknown}' in the manifest`));
    }
  });

  it('searches runs by chip, procedure, dates, light and summary text, a page at a time, newest first', async () => {
    const m = await openManifest(s.lake.config.manifestPath);
    const expected = await m.conn.all<{ run_id: string }>(
      `SELECT run_id FROM ${m.source} WHERE chip_name = 'Alisson67' AND proc = 'IVg' AND has_light AND contains(lower(summary), 'λ=')
       ORDER BY start_time_utc DESC, file_idx DESC, run_id DESC`,
    );
    const all = await m.conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${m.source}`);
    m.close();
    assert.ok(expected.length >= 2, 'the lake has lit IVg runs of Alisson67');
    const found = await getJson(s.server, '/api/search?chip=Alisson67&proc=IVg&light=yes&text=%CE%BB%3D&from=2000-01-01&to=2100-01-01');
    assert.equal(found.status, 200);
    assert.equal(found.body.total, expected.length);
    assert.deepEqual(found.body.runs.map((r: any) => r.run_id), expected.map((r) => r.run_id));
    const first = await getJson(s.server, '/api/search?limit=5');
    const second = await getJson(s.server, '/api/search?limit=5&offset=5');
    assert.equal(first.body.total, all[0]!.n);
    assert.equal(first.body.runs.length, 5);
    assert.notDeepEqual(first.body.runs[0].run_id, second.body.runs[0].run_id);
    assert.equal((await getJson(s.server, '/api/search?text=no-summary-says-this')).body.total, 0);
    assert.equal((await getJson(s.server, '/api/search?from=2025-13-01')).status, 400);
    assert.equal((await getJson(s.server, '/api/search?limit=0')).status, 400);
    assert.equal((await getJson(s.server, '/api/search?chip=Nobody1')).status, 404);
    const procs = (await getJson(s.server, '/api/procedures')).body.procedures;
    assert.equal(procs.reduce((a: number, p: any) => a + p.runs, 0), all[0]!.n);
  });

  it("says 404 when a run's data file is missing, and the run page says it has none", async () => {
    const run = runs.find((r) => r.proc === 'IV')!;
    const page = (await getJson(s.server, `/api/runs/${run.run_id}`)).body;
    rmSync(path.join(s.lake.config.stageRoot, page.run.path));
    assert.equal((await getJson(s.server, `/api/runs/${run.run_id}`)).body.has_file, false);
    const { status, body } = await getJson(s.server, `/api/runs/${run.run_id}/series`);
    assert.equal(status, 404);
    assert.match(body.error, /data file of run .* is missing/);
  });

  it('picks up a new manifest without a restart', async () => {
    const before = (await getJson(s.server, '/api/overview')).body.totals.runs;
    const file = s.lake.config.manifestPath;
    const engine = await Engine.open();
    const conn = await engine.connect();
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(file)}) ORDER BY run_id OFFSET 1) TO ${sqlLiteral(`${file}.tmp`)} (FORMAT parquet)`);
    conn.close();
    engine.close();
    renameSync(`${file}.tmp`, file);
    const later = new Date(Date.now() + 5000);
    utimesSync(s.lake.config.manifestPath, later, later);
    const after = (await getJson(s.server, '/api/overview')).body;
    assert.equal(after.totals.runs, before - 1);
    assert.ok(after.rejects.length > 0, 'the demo bad files are listed as rejects');
    // The lake's size is summed in the background after a manifest is read: null until then.
    let bytes = after.lake_bytes;
    for (let k = 0; k < 50 && bytes === null; k++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      bytes = (await getJson(s.server, '/api/overview')).body.lake_bytes;
    }
    assert.ok(bytes > 0);
  });
});
