// strata serve: tables that show a page of rows at a time (a chip of 2,000 runs is 100 rows in the DOM), and the
// columns every list of runs shares.
import { chipRoute, el, fill, lightText, link, runRoute } from './dom.js';
import { count } from './format.js';

/** Buttons to move through a list: `at` is the first row shown (0-based). */
export function pager({ at, size, total, onPage, what = 'rows' }) {
  const last = Math.min(total, at + size);
  return el('nav', { class: 'pager', 'aria-label': `Pages of ${what}` },
    el('button', { type: 'button', disabled: at === 0, 'aria-label': `Previous ${size} ${what}`, on: { click: () => onPage(Math.max(0, at - size)) } }, '← Previous'),
    el('span', { class: 'muted' }, total === 0 ? `no ${what}` : `${what} ${count(at + 1)}–${count(last)} of ${count(total)}`),
    el('button', { type: 'button', disabled: last >= total, 'aria-label': `Next ${size} ${what}`, on: { click: () => onPage(at + size) } }, 'Next →'),
  );
}

/** A table of `rows` a page at a time; columns are { title, cell(row) -> text or node }. */
export function pagedTable({ rows, columns, size = 100, what = 'runs', className = '' }) {
  const holder = el('div', { class: 'paged' });
  const show = (at) => {
    const body = rows.slice(at, at + size).map((r) => el('tr', { data: r.run_id ? { runId: r.run_id } : {} }, columns.map((c) => el('td', {}, c.cell(r)))));
    const table = el('table', { class: className }, el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col' }, c.title)))), el('tbody', {}, body));
    const parts = [table];
    if (rows.length > size) parts.unshift(pager({ at, size, total: rows.length, what, onPage: show }));
    fill(holder, parts);
  };
  show(0);
  return holder;
}

/** Columns of a list of runs, by name: chip, seq, date_local, time_local, proc, has_light, summary, run_id... */
export function runColumns(names) {
  const known = {
    chip: { title: 'chip', cell: (r) => (r.chip_name ? link(chipRoute(r.chip_name), r.chip_name) : '') },
    has_light: { title: 'light', cell: (r) => lightText(r.has_light) },
    summary: { title: 'summary', cell: (r) => link(runRoute(r.run_id), r.summary || '(no summary)') },
    run_id: { title: 'run_id', cell: (r) => link(runRoute(r.run_id), r.run_id) },
  };
  return names.map((n) => known[n] ?? { title: n, cell: (r) => (r[n] === null || r[n] === undefined ? '' : String(r[n])) });
}
