// strata serve: the overview: totals, runs per day and procedure on a date axis, the newest runs, the rejects.
import { api } from './api.js';
import { colorFor } from './colors.js';
import { el } from './dom.js';
import { count, localMs } from './format.js';
import { createChart } from './plot.js';
import { pagedTable, runColumns } from './tables.js';

const DAY = 86_400_000;

/** One bars series per procedure, stacked day by day. */
function dayBars(perDay) {
  const days = [...new Set(perDay.map((d) => d.date))].sort();
  const procs = [...new Set(perDay.map((d) => d.proc))].sort();
  const runs = new Map(perDay.map((d) => [`${d.date}|${d.proc}`, d.runs]));
  const below = new Map(days.map((d) => [d, 0]));
  return procs.map((proc) => {
    const kept = days.filter((d) => runs.has(`${d}|${proc}`));
    const base = kept.map((d) => below.get(d));
    const top = kept.map((d, k) => base[k] + runs.get(`${d}|${proc}`));
    kept.forEach((d, k) => below.set(d, top[k]));
    return {
      label: proc,
      color: colorFor(proc),
      kind: 'bars',
      x: kept.map((d) => localMs(d) + DAY / 2),
      y: top,
      base,
      barWidth: DAY * 0.8,
      days: kept,
      detail: (i) => `${kept[i]}: ${count(top[i] - base[i])} ${proc} runs (click for the list)`,
      csv: (i) => [kept[i]],
    };
  });
}

function card(value, label, route) {
  const body = [el('b', {}, value), label];
  return el('div', { class: 'card' }, route ? el('a', { href: route }, body) : body);
}

export async function overviewPage(ctx) {
  const [o, metrics] = await Promise.all([api('/api/overview', ctx.signal), api('/api/metrics', ctx.signal)]);
  const t = o.totals;
  const chart = createChart({
    title: 'Runs per day and procedure',
    height: 220,
    x: { label: 'local date', kind: 'time', minStep: DAY },
    y: { label: 'runs', unit: null },
    series: dayBars(o.per_day),
    onPick: (s, i) => (location.hash = `#/runs?date=${encodeURIComponent(s.days[i])}&proc=${encodeURIComponent(s.label)}`),
    csvColumns: ['date'],
  });
  ctx.onLeave(chart.destroy);
  const rejects =
    o.rejects.length === 0
      ? el('p', { class: 'muted' }, 'none')
      : [
          o.rejects_total > o.rejects.length ? el('p', { class: 'muted' }, `The first ${o.rejects.length} of ${count(o.rejects_total)}.`) : null,
          pagedTable({ rows: o.rejects, size: 25, what: 'rejects', columns: [{ title: 'file', cell: (r) => r.source_file }, { title: 'why', cell: (r) => el('span', { class: 'error' }, r.error) }] }),
        ];
  const derived =
    metrics.state.kind === 'ready'
      ? el('p', {}, `Derived metrics: ${metrics.metrics.map((m) => `${m.metric_name} (${count(m.runs)} runs)`).join(', ') || 'none'}. Each chip's page links to its views.`)
      : el('p', { class: 'muted' }, metrics.state.hint);
  ctx.mount(
    el('div', {},
      el('h1', {}, 'Overview'),
      el('div', { class: 'cards' },
        card(count(t.runs), t.runs === 1 ? 'run' : 'runs', '#/search'),
        card(count(t.chips), t.chips === 1 ? 'chip' : 'chips', '#/chips'),
        card(count(t.procedures), t.procedures === 1 ? 'procedure' : 'procedures'),
        card(count(t.rows), 'data rows'),
        card(o.lake_bytes === null ? 'measuring…' : `${(o.lake_bytes / 1e6).toFixed(1)} MB`, 'lake'),
        card(`${t.first_date ?? '—'} → ${t.last_date ?? '—'}`, 'dates'),
      ),
      chart.node,
      el('h2', {}, 'Newest runs'),
      pagedTable({ rows: o.newest, columns: runColumns(['chip', 'date_local', 'time_local', 'proc', 'has_light', 'summary']) }),
      el('h2', {}, `Rejects of the last stage run (${count(o.rejects_total)})`),
      rejects,
      el('h2', {}, 'Derived metrics'),
      derived,
    ),
    'Overview',
  );
}
