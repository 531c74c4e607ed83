// strata serve: one chip: its runs on a date axis (a lane per procedure), filters, and its history a page at a time.
import { api, query } from './api.js';
import { colorFor } from './colors.js';
import { chipRoute, el, lightText, link, runRoute } from './dom.js';
import { count, localMs } from './format.js';
import { createChart } from './plot.js';
import { pagedTable, runColumns } from './tables.js';

const FILTERS = ['proc', 'light', 'from', 'to'];

function filtered(runs, q) {
  const light = q.get('light');
  return runs.filter(
    (r) =>
      (!q.get('proc') || r.proc === q.get('proc')) &&
      (!light || r.has_light === (light === 'yes')) &&
      (!q.get('from') || r.date_local >= q.get('from')) &&
      (!q.get('to') || r.date_local <= q.get('to')),
  );
}

/** The runs as marks on a date axis, one lane per procedure: filled when lit, hollow when dark. */
function timeline(name, runs, procs) {
  const series = procs.map((proc, lane) => {
    const mine = runs.filter((r) => r.proc === proc);
    return {
      label: proc,
      color: colorFor(proc),
      kind: 'points',
      shape: 'square',
      size: 3,
      x: mine.map((r) => localMs(r.date_local, r.time_local)),
      y: mine.map(() => lane),
      hollow: mine.map((r) => r.has_light !== true),
      runs: mine,
      detail: (i) => `#${mine[i].seq} ${lightText(mine[i].has_light)} · ${mine[i].summary}`,
      csv: (i) => [mine[i].seq, mine[i].run_id, mine[i].summary],
    };
  });
  return createChart({
    title: `Runs of ${name}`,
    height: Math.max(140, 70 + 30 * procs.length),
    x: { label: 'local date and time', kind: 'time' },
    y: { label: 'procedure', categories: procs },
    series,
    onPick: (s, i) => (location.hash = runRoute(s.runs[i].run_id)),
    csvColumns: ['seq', 'run_id', 'summary'],
  });
}

function filterForm(name, q, procs) {
  const select = (field, options) =>
    el('label', {}, field, el('select', { name: field }, el('option', { value: '' }, 'all'), options.map((o) => el('option', { value: o, selected: q.get(field) === o }, o))));
  const date = (field) => el('label', {}, field, el('input', { type: 'date', name: field, value: q.get(field) ?? '' }));
  const form = el('form', { class: 'filters', 'aria-label': 'Filter the runs' }, select('proc', procs), select('light', ['yes', 'no']), date('from'), date('to'), el('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const values = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ''));
    location.hash = chipRoute(name, query(values));
  });
  return form;
}

export async function chipPage(ctx, name) {
  const h = await api(`/api/chips/${encodeURIComponent(name)}/runs`, ctx.signal);
  const procs = [...new Set(h.runs.map((r) => r.proc))].sort();
  const shown = filtered(h.runs, ctx.query);
  const chart = timeline(h.chip_name, shown, procs);
  ctx.onLeave(chart.destroy);
  const kept = Object.fromEntries(FILTERS.map((f) => [f, ctx.query.get(f)]));
  const csv = `/api/chips/${encodeURIComponent(h.chip_name)}/runs${query({ ...kept, format: 'csv' })}`;
  ctx.mount(
    el('div', {},
      el('h1', {}, `${h.chip_name}: ${count(shown.length)} of ${count(h.runs.length)} runs`),
      el('p', { class: 'links' },
        link(chipRoute(h.chip_name, '/metrics'), 'Derived metrics'), ' · ',
        ...(h.plotted.length === 0 ? [] : ['Draw together: ']), h.plotted.flatMap((p, k) => [k ? ', ' : '', link(chipRoute(h.chip_name, `/family?proc=${encodeURIComponent(p)}`), p)]), h.plotted.length === 0 ? '' : ' · ',
        link(`#/search${query({ chip: h.chip_name })}`, 'Search its runs'), ' · ',
        el('a', { href: csv, download: `${h.chip_name}_history.csv` }, 'History as CSV'),
      ),
      filterForm(h.chip_name, ctx.query, procs),
      el('h2', {}, 'Timeline'),
      chart.node,
      el('h2', {}, 'History'),
      pagedTable({ rows: shown, className: 'history', columns: runColumns(['seq', 'date_local', 'time_local', 'proc', 'has_light', 'summary', 'file_idx', 'run_id', 'source_file']) }),
    ),
    h.chip_name,
  );
}
