// strata serve: what the derived metrics say about a chip (CNP over time, photoresponse against power, wavelength
// and gate voltage), and a chip's runs of one procedure drawn together, coloured by date.
import { api, query } from './api.js';
import { colorFor, rampColor } from './colors.js';
import { chipRoute, el, link, runRoute } from './dom.js';
import { count, localMs } from './format.js';
import { createChart } from './plot.js';

/** The manifest columns the photoresponse is drawn against, besides the laser power metric. */
const CONTEXT = ['laser_wavelength_nm', 'vg_v'];
const NAMES = { cnp_voltage: 'CNP', cnp_resistance: 'R at CNP', delta_current: 'ΔI', delta_voltage: 'ΔV', laser_power: 'laser power' };
const PHOTORESPONSE = ['delta_current', 'delta_voltage'];
/** Optional metrics drawn beside the CNP when `strata derive` gives them. */
const BRANCHES = [['cnp_forward', 'forward sweep', '#2a9d8f'], ['cnp_backward', 'backward sweep', '#9467bd']];

const quality = (m) => `confidence ${m.confidence ?? '?'}${m.flags ? ` · ${m.flags}` : ''}`;
const open = (s, i) => (location.hash = runRoute(s.runs[i].run_id));

/** Points per group (light, or procedure), x and y read from each run. */
function pointSeries(runs, groupOf, colorOf, xOf, yOf, detail) {
  const groups = new Map();
  for (const run of runs) {
    const x = xOf(run);
    const y = yOf(run);
    if (x === null || x === undefined || y === null || y === undefined) continue;
    const key = groupOf(run);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(run);
  }
  return [...groups].map(([key, mine]) => ({
    label: key,
    color: colorOf(key),
    kind: 'points',
    x: mine.map(xOf),
    y: mine.map(yOf),
    runs: mine,
    detail: (i) => detail(mine[i]),
    csv: (i) => [mine[i].seq, mine[i].run_id, mine[i].date_local],
  }));
}

function chartOrNote(ctx, spec) {
  if (spec.series.every((s) => s.x.length === 0)) return el('p', { class: 'muted' }, `${spec.title}: no run of this chip has both values.`);
  const chart = createChart({ height: 320, onPick: open, csvColumns: ['seq', 'run_id', 'date_local'], ...spec });
  ctx.onLeave(chart.destroy);
  return chart.node;
}

export async function metricsPage(ctx, name) {
  const m = await api(`/api/chips/${encodeURIComponent(name)}/metrics${query({ context: CONTEXT.join(',') })}`, ctx.signal);
  const head = [el('h1', {}, `${m.chip_name}: derived metrics`), el('p', {}, link(chipRoute(m.chip_name), `← ${m.chip_name}`), ' · ', link(chipRoute(m.chip_name, '/family?proc=IVg'), 'IVg family'))];
  if (m.state.kind !== 'ready') return ctx.mount(el('div', {}, head, el('p', { class: 'notice' }, m.state.hint)), `${m.chip_name} metrics`);
  const runs = m.runs;
  const unitOf = (metric) => runs.find((r) => r.metrics[metric])?.metrics[metric].unit ?? null;
  const value = (metric) => (run) => run.metrics[metric]?.value ?? null;
  const lightGroup = (run) => (run.has_light === true ? 'lit' : run.has_light === false ? 'dark' : 'light unknown');
  const when = (r) => localMs(r.date_local, r.time_local);
  const lightColor = (key) => ({ lit: '#e76f51', dark: '#1d3557' })[key] ?? '#7f7f7f';
  const sections = [
    el('h2', {}, 'CNP over time'),
    chartOrNote(ctx, {
      title: `CNP of ${m.chip_name} over time`,
      x: { label: 'local date and time', kind: 'time' },
      y: { label: NAMES.cnp_voltage, unit: unitOf('cnp_voltage') ?? 'V' },
      series: [
        ...pointSeries(runs, lightGroup, lightColor, when, value('cnp_voltage'), (r) => `#${r.seq} ${r.proc} · ${quality(r.metrics.cnp_voltage)}`),
        // The CNP of each sweep direction, where derive gives them: the hysteresis between the two over time.
        ...BRANCHES.flatMap(([metric, label, color]) =>
          pointSeries(runs, () => label, () => color, when, value(metric), (r) => `#${r.seq} ${r.proc} · ${quality(r.metrics[metric])}`).map((s) => ({ ...s, hollow: s.x.map(() => true), size: 5 }))),
      ],
    }),
  ];
  for (const metric of PHOTORESPONSE) {
    if (!runs.some((r) => r.metrics[metric])) continue;
    const y = { label: NAMES[metric], unit: unitOf(metric), logToggle: `log |${NAMES[metric]}|` };
    const detail = (r) => `#${r.seq} ${r.proc} ${r.date_local} · ${quality(r.metrics[metric])}`;
    const against = (title, x, xOf) =>
      chartOrNote(ctx, { title: `${NAMES[metric]} of ${m.chip_name} against ${title}`, x, y, series: pointSeries(runs, (r) => r.proc, colorFor, xOf, value(metric), detail) });
    const ctxLabel = (c) => m.context.find((l) => l.column === c);
    sections.push(el('h2', {}, `Photoresponse ${NAMES[metric]}`));
    sections.push(against('laser power', { label: NAMES.laser_power, unit: unitOf('laser_power') ?? 'W', kind: 'log' }, value('laser_power')));
    for (const column of CONTEXT) {
      const label = ctxLabel(column);
      if (label) sections.push(against(label.label, { label: label.label, unit: label.unit }, (r) => r.context[column]));
    }
  }
  if (!runs.some((r) => PHOTORESPONSE.some((p) => r.metrics[p]))) sections.push(el('p', { class: 'muted' }, 'No photoresponse metric (ΔI, ΔV) for this chip.'));
  ctx.mount(el('div', {}, head, el('p', { class: 'muted' }, `${count(runs.length)} runs with metrics, from ${m.state.path}.`), sections), `${m.chip_name} metrics`);
}

export async function familyPage(ctx, name) {
  const proc = ctx.query.get('proc') || 'IVg';
  const from = ctx.query.get('from') ?? '';
  const to = ctx.query.get('to') ?? '';
  const f = await api(`/api/chips/${encodeURIComponent(name)}/family${query({ proc, from, to })}`, ctx.signal);
  // Each date its own colour, spread evenly from the first date to the last (runs often bunch on a few days).
  const dates = [...new Set(f.runs.map((r) => r.date_local))].sort();
  const shade = (date) => rampColor(dates.length > 1 ? dates.indexOf(date) / (dates.length - 1) : 1);
  const series = f.runs.map((r) => ({
    label: `#${r.seq} ${r.date_local}`,
    color: shade(r.date_local),
    kind: 'line',
    width: 1.1,
    x: r.data[0],
    y: r.data[1],
    run: r,
    detail: () => `${r.time_local ?? ''} · ${r.summary}`,
    csv: () => [r.run_id, r.date_local],
  }));
  const form = el('form', { class: 'filters', 'aria-label': 'Dates of the runs drawn' },
    el('label', {}, 'from', el('input', { type: 'date', name: 'from', value: from })),
    el('label', {}, 'to', el('input', { type: 'date', name: 'to', value: to })),
    el('button', { type: 'submit' }, 'Draw'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
    location.hash = chipRoute(f.chip_name, `/family${query({ proc, ...values })}`);
  });
  const shown = f.runs.length < f.total ? `${count(f.runs.length)} of ${count(f.total)} runs, spread over the dates` : `${count(f.total)} runs`;
  let body = el('p', { class: 'notice' }, `${f.chip_name} has no ${proc} run with a data file in these dates.`);
  if (f.runs.length > 0) {
    const chart = createChart({
      title: `${proc} family of ${f.chip_name}`,
      height: 460,
      x: { label: f.axes[0].label, unit: f.axes[0].unit },
      y: { label: f.axes[1].label, unit: f.axes[1].unit, logToggle: `log |${f.axes[1].label}|` },
      series,
      legend: { kind: 'ramp', from: { label: dates[0], color: rampColor(0) }, to: { label: dates[dates.length - 1], color: rampColor(1) }, note: `${shown} on ${count(dates.length)} dates` },
      onPick: (s) => (location.hash = runRoute(s.run.run_id)),
      csvColumns: ['run_id', 'date_local'],
    });
    ctx.onLeave(chart.destroy);
    body = chart.node;
  }
  ctx.mount(
    el('div', {},
      el('h1', {}, `${f.chip_name}: ${proc} runs by date`),
      el('p', {}, link(chipRoute(f.chip_name), `← ${f.chip_name}`), ' · ', link(chipRoute(f.chip_name, '/metrics'), 'Derived metrics'), ` · ${shown}; each date its colour, the oldest dark, the newest bright.`),
      form,
      body,
    ),
    `${f.chip_name} ${proc} family`,
  );
}
