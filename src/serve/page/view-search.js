// strata serve: finding runs: by chip, procedure, dates, light and text in the summary (a page at a time from the
// server), and the runs of one day behind a bar of the overview.
import { api, query } from './api.js';
import { el } from './dom.js';
import { count } from './format.js';
import { pagedTable, pager, runColumns } from './tables.js';

const PAGE = 100;
const FIELDS = ['chip', 'proc', 'from', 'to', 'light', 'text'];

function searchForm(q, chips, procs) {
  const input = (name, label, props = {}) => el('label', {}, label, el('input', { name, value: q.get(name) ?? '', ...props }));
  const select = (name, label, options) =>
    el('label', {}, label, el('select', { name }, el('option', { value: '' }, 'any'), options.map((o) => el('option', { value: o, selected: q.get(name) === o }, o))));
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search the runs' },
    input('chip', 'chip', { list: 'chip-names', placeholder: 'Alisson67', autocomplete: 'off' }),
    el('datalist', { id: 'chip-names' }, chips.map((c) => el('option', { value: c.chip_name }))),
    select('proc', 'procedure', procs),
    input('from', 'from', { type: 'date' }),
    input('to', 'to', { type: 'date' }),
    select('light', 'light', ['yes', 'no']),
    input('text', 'summary contains', { type: 'search', placeholder: 'λ=455' }),
    el('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/search${query(Object.fromEntries([...new FormData(form)]))}`;
  });
  return form;
}

export async function searchPage(ctx) {
  const q = ctx.query;
  const offset = Math.max(0, Number(q.get('offset')) || 0);
  const params = Object.fromEntries(FIELDS.map((f) => [f, q.get(f)]));
  const [{ chips }, { procedures }, found] = await Promise.all([
    api('/api/chips', ctx.signal),
    api('/api/procedures', ctx.signal),
    api(`/api/search${query({ ...params, offset, limit: PAGE })}`, ctx.signal),
  ]);
  const move = (at) => (location.hash = `#/search${query({ ...params, offset: at || undefined })}`);
  ctx.mount(
    el('div', {},
      el('h1', {}, 'Search runs'),
      searchForm(q, chips, procedures.map((p) => p.proc)),
      el('p', { class: 'muted' }, `${count(found.total)} runs match, newest first.`),
      pager({ at: offset, size: PAGE, total: found.total, onPage: move, what: 'runs' }),
      pagedTable({ rows: found.runs, size: PAGE, columns: runColumns(['chip', 'date_local', 'time_local', 'proc', 'has_light', 'summary', 'source_file']) }),
    ),
    'Search',
  );
}

export async function dayPage(ctx) {
  const r = await api(`/api/runs${query({ date: ctx.query.get('date'), proc: ctx.query.get('proc') })}`, ctx.signal);
  ctx.mount(
    el('div', {},
      el('h1', {}, `${count(r.runs.length)} ${r.proc ?? ''} runs on ${r.date}`),
      pagedTable({ rows: r.runs, columns: runColumns(['chip', 'time_local', 'proc', 'has_light', 'summary', 'run_id']) }),
    ),
    `Runs of ${r.date}`,
  );
}
