// strata serve: every chip, filtered by group and by a part of its name, a page of rows at a time.
import { api } from './api.js';
import { chipRoute, el, fill, link } from './dom.js';
import { count } from './format.js';
import { pagedTable } from './tables.js';

export async function chipsPage(ctx) {
  const { chips } = await api('/api/chips', ctx.signal);
  const groups = [...new Set(chips.map((c) => c.chip_group))];
  const list = el('div', {});
  const group = el('select', { name: 'group', 'aria-label': 'Chip group' }, el('option', { value: '' }, 'all'), groups.map((g) => el('option', { value: g, selected: g === ctx.query.get('group') }, g)));
  const name = el('input', { type: 'search', name: 'name', placeholder: 'e.g. 67', 'aria-label': 'Part of the chip name', value: ctx.query.get('name') ?? '' });
  const draw = () => {
    const wanted = name.value.trim().toLowerCase();
    const shown = chips.filter((c) => (!group.value || c.chip_group === group.value) && (!wanted || c.chip_name.toLowerCase().includes(wanted)));
    fill(list, pagedTable({
      rows: shown,
      what: 'chips',
      className: 'chips',
      columns: [
        { title: 'chip', cell: (c) => link(chipRoute(c.chip_name), c.chip_name) },
        { title: 'group', cell: (c) => c.chip_group },
        { title: 'runs', cell: (c) => count(c.runs) },
        { title: 'last run', cell: (c) => c.last_date },
      ],
    }));
  };
  group.addEventListener('change', draw);
  name.addEventListener('input', draw);
  draw();
  ctx.mount(el('div', {}, el('h1', {}, `Chips (${count(chips.length)})`), el('div', { class: 'filters' }, el('label', {}, 'group', group), el('label', {}, 'name', name)), list), 'Chips');
}
