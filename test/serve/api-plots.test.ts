// What the API gives the page's charts: curves in acquisition order, cut where a zoom left rows out, axes named by
// the YAML, light shading only where the YAML says, a chip's runs drawn together, and the derived metrics.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { openManifest } from '../../src/history/manifest-query.js';
import { writeMetricsFixture } from './metrics-fixture.js';
import { getJson, serveGeneratedLake, serveLake, type ServedLake } from './serve-lake.js';

interface RunRow {
  run_id: string;
  proc: string;
  path: string;
  chip_name: string | null;
  has_light: boolean | null;
}

describe('strata serve API for charts', () => {
  let s: ServedLake;
  let runs: RunRow[];
  /** The chip with the most runs. */
  let chip: string;
  let engine: Engine;
  let conn: Awaited<ReturnType<Engine['connect']>>;
  /** A column of a run's data file in the file's own row order. */
  const column = async (run: RunRow, name: string): Promise<number[]> =>
    (await conn.all<{ v: number }>(`SELECT CAST("${name}" AS DOUBLE) AS v FROM read_parquet(${sqlLiteral(path.join(s.lake.config.stageRoot, run.path))}) ORDER BY file_row_number`)).map((r) => r.v);

  before(async () => {
    s = await serveGeneratedLake(80, undefined, { days: 3 });
    const m = await openManifest(s.lake.config.manifestPath);
    runs = await m.conn.all<RunRow & Record<string, unknown>>(`SELECT run_id, proc, path, chip_name, has_light FROM ${m.source} ORDER BY run_id`);
    m.close();
    const chips = (await getJson(s.server, '/api/chips')).body.chips as { chip_name: string; runs: number }[];
    chip = chips.reduce((a, c) => (c.runs > a.runs ? c : a)).chip_name;
    engine = await Engine.open();
    conn = await engine.connect();
  });
  after(async () => {
    conn.close();
    engine.close();
    await s.close();
  });

  it("gives a sweep's points in the file's row order, x going down, up and down again", async () => {
    const run = runs.find((r) => r.proc === 'IVg')!;
    const series = (await getJson(s.server, `/api/runs/${run.run_id}/series?points=100000`)).body;
    assert.deepEqual(series.data[0], await column(run, 'vg_v'));
    assert.deepEqual(series.data[1], await column(run, 'i_a'));
    const steps = (series.data[0] as number[]).slice(1).map((x, i) => Math.sign(x - series.data[0][i]));
    assert.ok(steps.includes(1) && steps.includes(-1), 'the gate voltage goes both ways');
    assert.equal(series.sweep, true);
    assert.deepEqual(series.breaks, []);
  });

  it('cuts a zoomed sweep where the zoom left rows out, so that its branches are never joined', async () => {
    const run = runs.find((r) => r.proc === 'IVg')!;
    const x = await column(run, 'vg_v');
    const zoom = (await getJson(s.server, `/api/runs/${run.run_id}/series?points=100000&from=1&to=3`)).body;
    const kept = x.map((v, i) => [v, i] as const).filter(([v]) => v >= 1 && v <= 3);
    assert.deepEqual(zoom.data[0], kept.map(([v]) => v));
    const expected = kept.flatMap(([, row], k) => (k > 0 && row !== kept[k - 1]![1] + 1 ? [k] : []));
    assert.ok(expected.length >= 1, 'the range holds rows of more than one branch');
    assert.deepEqual(zoom.breaks, expected);
  });

  it("names the axes by the YAML's instrument headers and their units", async () => {
    const run = runs.find((r) => r.proc === 'IVg')!;
    const series = (await getJson(s.server, `/api/runs/${run.run_id}/series`)).body;
    assert.deepEqual(series.axes, [{ column: 'vg_v', label: 'Vg', unit: 'V' }, { column: 'i_a', label: 'I', unit: 'A' }]);
    const it = runs.find((r) => r.proc === 'Tt')!;
    const t = (await getJson(s.server, `/api/runs/${it.run_id}/series`)).body;
    assert.deepEqual(t.axes.map((a: any) => [a.label, a.unit]), [['Time', 's'], ['Plate Temperature', 'degC'], ['Ambient Temperature', 'degC']]);
  });

  it("shades the laser only where the YAML's plot says how: a lit sweep on a gate axis gets none", async () => {
    const lit = runs.find((r) => r.proc === 'VVg' && r.has_light === true) ?? runs.find((r) => r.proc === 'IVg' && r.has_light === true)!;
    const series = (await getJson(s.server, `/api/runs/${lit.run_id}/series`)).body;
    assert.deepEqual(series.light, []);
    const it = runs.find((r) => r.proc === 'It' && r.has_light === true)!;
    assert.ok((await getJson(s.server, `/api/runs/${it.run_id}/series`)).body.light.some((p: any) => p.on));
  });

  it("draws a chip's runs of one procedure together, each in its file's row order", async () => {
    const mine = runs.filter((r) => r.proc === 'IVg' && r.chip_name === chip);
    assert.ok(mine.length >= 2);
    const family = (await getJson(s.server, `/api/chips/${chip}/family?proc=IVg&points=5000`)).body;
    assert.equal(family.total, mine.length);
    assert.deepEqual(family.runs.map((r: any) => r.run_id).sort(), mine.map((r) => r.run_id).sort());
    assert.deepEqual(family.axes.map((a: any) => a.label), ['Vg', 'I']);
    for (const r of family.runs) assert.deepEqual(r.data[0], await column(mine.find((m) => m.run_id === r.run_id)!, 'vg_v'));
    const thin = (await getJson(s.server, `/api/chips/${chip}/family?proc=IVg&points=10`)).body;
    for (const r of thin.runs) assert.ok(r.data[0].length <= 12, `${r.data[0].length} points`);
    assert.equal((await getJson(s.server, `/api/chips/${chip}/family`)).status, 400);
    assert.equal((await getJson(s.server, '/api/chips/Nobody9/family?proc=IVg')).status, 404);
  });

  it('says how to make the derived metrics until they exist, then serves them per chip with the manifest context', async () => {
    const absent = (await getJson(s.server, '/api/metrics')).body;
    assert.equal(absent.state.kind, 'absent');
    assert.match(absent.state.hint, /strata derive/);
    const empty = (await getJson(s.server, `/api/chips/${chip}/metrics`)).body;
    assert.equal(empty.state.kind, 'absent');
    assert.deepEqual(empty.runs, []);

    const written = await writeMetricsFixture(s.lake.config.manifestPath, s.metricsPath);
    const names = (await getJson(s.server, '/api/metrics')).body;
    assert.equal(names.state.kind, 'ready');
    assert.deepEqual(names.metrics.map((m: any) => m.metric_name), ['cnp_resistance', 'cnp_voltage', 'delta_current', 'laser_power']);
    const [expected] = await conn.all<{ n: number }>(
      `SELECT count(*) AS n FROM read_parquet(${sqlLiteral(s.metricsPath)}) WHERE chip_group || chip_number = ${sqlLiteral(chip)}`,
    );
    const found = (await getJson(s.server, `/api/chips/${chip}/metrics?context=laser_wavelength_nm,vg_v,not_a_column`)).body;
    assert.ok(written > 0);
    assert.equal(found.runs.reduce((a: number, r: any) => a + Object.keys(r.metrics).length, 0), expected!.n);
    assert.deepEqual(found.context, [{ column: 'laser_wavelength_nm', label: 'Laser wavelength', unit: 'nm' }, { column: 'vg_v', label: 'VG', unit: 'V' }]);
    const cnp = found.runs.find((r: any) => r.metrics.cnp_voltage);
    assert.equal(cnp.metrics.cnp_voltage.unit, 'V');
    assert.equal(typeof cnp.metrics.cnp_voltage.value, 'number');
    assert.ok(cnp.seq >= 1 && typeof cnp.date_local === 'string' && cnp.proc === 'IVg');
    assert.ok('vg_v' in cnp.context && 'laser_wavelength_nm' in cnp.context);
    assert.equal((await getJson(s.server, `/api/chips/${chip}/metrics?context=x;drop`)).status, 400);

    rmSync(s.metricsPath);
    await conn.run(`COPY (SELECT 'r' AS run_id, 1.0 AS value_float) TO ${sqlLiteral(s.metricsPath)} (FORMAT parquet)`);
    const wrong = (await getJson(s.server, '/api/metrics')).body;
    assert.equal(wrong.state.kind, 'unreadable');
    assert.match(wrong.state.hint, /has no column metric_name, unit, method, confidence, flags/);
    rmSync(s.metricsPath);
    assert.equal((await getJson(s.server, '/api/metrics')).body.state.kind, 'absent');
  });
});

describe('strata serve API for a procedure the YAML gives no plot', () => {
  let s: ServedLake;
  let staged: ServedLake;
  before(async () => {
    staged = await serveGeneratedLake(30, undefined, { days: 2 });
    // The same lake, served with a YAML whose It has no plot.
    const yaml = path.join(staged.dir, 'no-it-plot.yml');
    writeFileSync(yaml, readFileSync(staged.lake.config.proceduresYaml, 'utf8').replace(/^    plot: \{ x: t_s, y: \[i_a\], light: .*\n/m, ''));
    s = await serveLake(staged.dir, { ...staged.lake, config: { ...staged.lake.config, proceduresYaml: yaml } });
  });
  after(async () => {
    await s.close();
    await staged.close();
  });

  it('draws a run by its first two numeric columns and offers to draw together only the procedures with a plot', async () => {
    const m = await openManifest(s.lake.config.manifestPath);
    const [run] = await m.conn.all<{ run_id: string; chip_name: string }>(`SELECT run_id, chip_name FROM ${m.source} WHERE proc = 'It' AND chip_name IS NOT NULL ORDER BY run_id LIMIT 1`);
    m.close();
    const page = await getJson(s.server, `/api/runs/${run!.run_id}`);
    assert.equal(page.body.plot, null);
    const numeric = (page.body.columns as { name: string; type: string }[]).filter((c) => c.type === 'DOUBLE' || c.type === 'BIGINT').map((c) => c.name);
    const series = await getJson(s.server, `/api/runs/${run!.run_id}/series`);
    assert.equal(series.status, 200, JSON.stringify(series.body));
    assert.deepEqual([series.body.x, series.body.y], [numeric[0], [numeric[1]]]);
    const chip = await getJson(s.server, `/api/chips/${run!.chip_name}/runs`);
    const procs = [...new Set((chip.body.runs as { proc: string }[]).map((r) => r.proc))];
    assert.ok(procs.includes('It'));
    assert.deepEqual(chip.body.plotted, procs.filter((p) => p !== 'It').sort());
  });
});
