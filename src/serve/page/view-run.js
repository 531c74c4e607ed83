// strata serve: one run: its curves in acquisition order (any column against any), overlays of the chip's other
// runs of the procedure (each fetched once), its manifest row, warnings, columns, and code that reads it.
import { api, apiOnce, query } from './api.js';
import { seriesColor } from './colors.js';
import { chipRoute, el, fill, lightText, link, runRoute } from './dom.js';
import { count } from './format.js';
import { createChart } from './plot.js';
import { pager } from './tables.js';

const CORE = new Set(['run_id', 'source_file', 'path', 'status', 'schema_version', 'extraction_version', 'ingested_at_utc', 'source_size', 'source_mtime_ms', 'source_sha1', 'warnings', 'local_date', 'local_time', 'data_schema']);
const OVERLAY_PAGE = 20;

/** The chart's series for one run's answer: one per y column. */
function toSeries(answer, runIndex, runLabel, many) {
  return answer.y.map((_, k) => {
    const axis = answer.axes[k + 1];
    return {
      label: many ? `${axis.label} · ${runLabel}` : axis.label,
      color: seriesColor(runIndex * answer.y.length + k),
      kind: 'line',
      x: answer.data[0],
      y: answer.data[k + 1],
      breaks: answer.breaks,
      sweep: answer.sweep,
      csv: () => [runLabel],
    };
  });
}

function columnPicker(label, columns, chosen, multiple) {
  return el('label', {}, label, el('select', { name: label, multiple }, columns.map((c) => el('option', { value: c.name, selected: chosen.includes(c.name) }, c.name))));
}

const NUMERIC = /^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|DECIMAL.*)$/;

export async function runPage(ctx, id) {
  // The run and its curves as the YAML draws them are asked for at once; the chip's other runs once the run is known.
  const points = Math.max(600, Math.min(6000, Math.round((window.innerWidth || 1200) * 2)));
  const yamlSeries = apiOnce(`/api/runs/${encodeURIComponent(id)}/series${query({ points })}`);
  yamlSeries.catch(() => undefined);
  const r = await api(`/api/runs/${encodeURIComponent(id)}`, ctx.signal);
  const row = r.run;
  const siblingsCall = row.chip_name
    ? api(`/api/chips/${encodeURIComponent(row.chip_name)}/runs${query({ proc: row.proc })}`, ctx.signal).catch(() => ({ runs: [] }))
    : Promise.resolve({ runs: [] });
  let others = [];
  const numeric = r.columns.filter((c) => NUMERIC.test(c.type));
  const chosen = { x: r.plot?.x ?? numeric[0]?.name, y: r.plot?.y ?? (numeric[1] ? [numeric[1].name] : []) };
  const overlays = [];
  const labelOf = new Map([[id, 'this run']]);

  const chartHolder = el('div', { class: 'chart-holder' });
  const note = el('p', { class: 'muted', id: 'chart-note' });
  let chart = null;
  const yamlChoice = { x: chosen.x, y: chosen.y.join(',') };
  const seriesUrl = (run, range) =>
    `/api/runs/${encodeURIComponent(run)}/series${query({ x: chosen.x, y: chosen.y.join(','), points, from: range?.[0], to: range?.[1] })}`;
  // The first call named no columns: the YAML's plot (or the first two numeric columns), the same as asking for them.
  const seriesOf = (run, range) =>
    run === id && !range && chosen.x === yamlChoice.x && chosen.y.join(',') === yamlChoice.y ? yamlSeries : apiOnce(seriesUrl(run, range));
  const fetchAll = (range) => Promise.all([id, ...overlays].map((run) => seriesOf(run, range)));
  const build = (answers) => answers.flatMap((a, k) => toSeries(a, k, labelOf.get([id, ...overlays][k]), answers.length > 1));

  async function draw() {
    if (!r.has_file) return fill(note, 'The data file of this run is missing under the stage root.');
    if (!chosen.x || chosen.y.length === 0) return fill(note, 'The procedures YAML gives no plot for this procedure, and its file has no two numeric columns to draw.');
    const answers = await fetchAll();
    if (!ctx.live()) return;
    const first = answers[0];
    if (chart) {
      chart.setSeries(build(answers));
    } else {
      const yAxes = first.axes.slice(1);
      chart = createChart({
        title: `${row.proc} · ${row.chip_name ?? 'no chip'} · ${row.local_date ?? ''} ${row.local_time ?? ''}`.trim(),
        height: 420,
        x: { label: first.axes[0].label, unit: first.axes[0].unit },
        y: { label: yAxes.map((a) => a.label).join(', '), unit: yAxes[0]?.unit ?? null, logToggle: `log |${yAxes.map((a) => a.label).join(', ')}|` },
        series: build(answers),
        shades: first.light.filter((p) => p.on).map((p) => ({ from: p.from, to: p.to })),
        onZoom: async (range) => build(await fetchAll(range)),
        csvColumns: ['run'],
      });
      chart.node.id = 'chart';
      chart.node.dataset.runId = id;
      ctx.onLeave(chart.destroy);
      fill(chartHolder, chart.node);
    }
    fill(note,
      `${count(first.rows)} rows, ${count(first.data[0].length)} points drawn in acquisition order`,
      first.exact ? '' : ' (downsampled per bucket of rows: drag across the chart to zoom in for the exact points)',
      first.sweep ? '; solid: forward (x rising), dashed: backward, arrows point the way it was swept' : '',
      first.light.some((p) => p.on) ? '; shaded: laser on' : '',
      '. Double-click (or 0) restores the whole run.');
  }

  const pickers = r.columns.length
    ? el('form', { class: 'filters', 'aria-label': 'Columns to draw' },
        columnPicker('x', numeric, [chosen.x], false),
        columnPicker('y', numeric, chosen.y, true),
        el('button', { type: 'submit' }, 'Draw'))
    : null;
  pickers?.addEventListener('submit', (e) => {
    e.preventDefault();
    const [xs, ys] = pickers.querySelectorAll('select');
    chosen.x = xs.value;
    chosen.y = [...ys.selectedOptions].map((o) => o.value);
    chart?.destroy();
    chart = null;
    draw().catch((error) => fill(note, error.message));
  });

  const overlaySection = el('section', { class: 'overlays' });
  const overlayList = el('div', { class: 'overlay' });
  const showOverlays = (at) =>
    fill(overlayList,
      others.length > OVERLAY_PAGE ? pager({ at, size: OVERLAY_PAGE, total: others.length, what: 'runs', onPage: showOverlays }) : null,
      others.slice(at, at + OVERLAY_PAGE).map((s) =>
        el('label', { class: 'overlay-item' },
          el('input', {
            type: 'checkbox',
            value: s.run_id,
            checked: overlays.includes(s.run_id),
            on: {
              change: (e) => {
                const k = overlays.indexOf(s.run_id);
                if (e.target.checked && k < 0) overlays.push(s.run_id);
                if (!e.target.checked && k >= 0) overlays.splice(k, 1);
                draw().catch((error) => fill(note, error.message));
              },
            },
          }),
          ` ${labelOf.get(s.run_id)} · ${s.summary}`)));
  // The chip's other runs of the procedure come after the page is up: the overlay list is not what one waits for.
  siblingsCall.then((siblings) => {
    others = siblings.runs.filter((s) => s.run_id !== id);
    for (const s of others) labelOf.set(s.run_id, `#${s.seq} ${s.date_local} ${s.time_local ?? ''}`.trim());
    if (others.length === 0) return;
    showOverlays(0);
    fill(overlaySection, el('h2', {}, `Overlay other ${row.proc} runs of ${row.chip_name}`), overlayList);
  });

  const params = Object.entries(row).filter(([k, v]) => !CORE.has(k) && v !== null && v !== '');
  ctx.mount(
    el('div', {},
      el('h1', {}, `${row.proc} · `, row.chip_name ? link(chipRoute(row.chip_name), row.chip_name) : 'no chip', ` · ${row.local_date ?? ''} ${row.local_time ?? ''}`),
      el('p', { class: 'pager' }, r.previous ? link(runRoute(r.previous), '← previous run') : null, r.next ? link(runRoute(r.next), 'next run →') : null),
      el('p', { class: 'summary' }, row.summary),
      pickers ? el('details', { class: 'pickers', open: !r.plot }, el('summary', {}, 'Draw other columns'), pickers) : null,
      chartHolder,
      note,
      overlaySection,
      r.warnings.length ? [el('h2', {}, `Warnings (${r.warnings.length})`), el('ul', { class: 'warnings' }, r.warnings.map((w) => el('li', {}, w)))] : null,
      el('h2', {}, 'Manifest row'),
      el('dl', { class: 'params' }, params.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, k === 'has_light' ? lightText(v) : String(v))))),
      el('h2', {}, 'Data columns'),
      el('p', { class: 'columns' }, r.columns.length ? r.columns.map((c) => `${c.name} (${c.type})`).join(', ') : 'none: the data file is missing'),
      el('p', { class: 'muted source' }, `${row.source_file} · run ${row.run_id} · ${row.path}`),
      el('h2', {}, 'From code'),
      [['duckdb', 'DuckDB (SQL)'], ['polars', 'Polars'], ['pandas', 'pandas']].map(([k, title]) => [el('h3', {}, title), el('pre', {}, r.snippets[k])]),
    ),
    `${row.proc} ${row.chip_name ?? ''}`,
  );
  // A run whose file lacks the YAML's columns still shows everything else, and says why there is no curve.
  await draw().catch((error) => fill(note, error.message));
}
