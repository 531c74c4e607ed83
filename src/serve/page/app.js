// strata serve: the page. Hash routes (#/, #/chips, #/chip/67?group=G, #/run/<id>) drawn from the JSON API.
'use strict';
(function () {
  const main = document.getElementById('main');
  const PROC_COLORS = ['#1d3557', '#e63946', '#2a9d8f', '#f4a261', '#6a4c93', '#8ab17d', '#264653', '#e76f51', '#457b9d', '#bc6c25', '#588157'];
  const procColor = (() => {
    const known = new Map();
    return (proc) => {
      if (!known.has(proc)) known.set(proc, PROC_COLORS[known.size % PROC_COLORS.length]);
      return known.get(proc);
    };
  })();
  const UNITS = { v: 'V', a: 'A', s: 's', nm: 'nm', c: '°C', degc: '°C', w: 'W', ms: 'ms' };

  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const light = (v) => (v === true ? '☀ light' : v === false ? '· dark' : '? unknown');
  const api = async (url) => {
    const res = await fetch(url);
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    return body;
  };
  const withUnit = (name) => {
    const m = /^(.*)_([a-z]+)$/.exec(name);
    return m && UNITS[m[2]] ? `${m[1]} (${UNITS[m[2]]})` : name;
  };
  const runLink = (id, text) => `<a href="#/run/${esc(id)}">${esc(text)}</a>`;
  const chipLink = (group, number, text) => `<a href="#/chip/${esc(number)}?group=${encodeURIComponent(group)}">${esc(text)}</a>`;

  async function overview() {
    const o = await api('/api/overview');
    const t = o.totals;
    const days = new Map();
    for (const d of o.per_day) {
      if (!days.has(d.date)) days.set(d.date, []);
      days.get(d.date).push(d);
    }
    const most = Math.max(1, ...[...days.values()].map((l) => l.reduce((a, d) => a + d.runs, 0)));
    const bars = [...days].map(([date, list]) =>
      `<div class="bar" title="${esc(date)}: ${list.map((d) => `${d.runs} ${d.proc}`).join(', ')}">${list
        .map((d) => `<a href="#/runs?date=${esc(date)}&proc=${encodeURIComponent(d.proc)}" style="display:block;height:${(100 * d.runs) / most}px;background:${procColor(d.proc)}"></a>`).join('')}</div>`).join('');
    const procs = [...new Set(o.per_day.map((d) => d.proc))];
    main.innerHTML = `<h1>Overview</h1>
      <div class="cards">
        <div class="card"><a href="#/runs?date=${esc(t.last_date)}"><b>${t.runs}</b>runs</a></div><div class="card"><a href="#/chips"><b>${t.chips}</b>chips</a></div>
        <div class="card"><b>${t.procedures}</b>procedures</div><div class="card"><b>${Number(t.rows).toLocaleString('en-US')}</b>data rows</div>
        <div class="card"><b>${(o.lake_bytes / 1e6).toFixed(1)} MB</b>lake</div><div class="card"><b>${esc(t.first_date)} → ${esc(t.last_date)}</b>dates</div>
      </div>
      <h2>Runs per day and procedure</h2><div class="bars">${bars}</div>
      <div class="legend">${procs.map((p) => `<span><span class="swatch" style="background:${procColor(p)}"></span>${esc(p)}</span>`).join('')}</div>
      <h2>Newest runs</h2>${runsTable(o.newest, ['chip', 'date_local', 'proc', 'has_light', 'summary'])}
      <h2>Rejects of the last stage run (${o.rejects.length})</h2>
      ${o.rejects.length === 0 ? '<p class="muted">none</p>' : `<table><tr><th>file</th><th>why</th></tr>${o.rejects.map((r) => `<tr><td>${esc(r.source_file)}</td><td class="error">${esc(r.error)}</td></tr>`).join('')}</table>`}`;
  }

  function runsTable(runs, columns) {
    const cell = (r, c) =>
      c === 'chip' ? (r.chip_number == null ? '' : chipLink(r.chip_group, r.chip_number, r.chip_name)) :
      c === 'has_light' ? light(r.has_light) :
      c === 'summary' ? runLink(r.run_id, r.summary || '(no summary)') :
      c === 'run_id' ? runLink(r.run_id, r.run_id) : esc(r[c]);
    return `<table><tr>${columns.map((c) => `<th>${esc(c === 'has_light' ? 'light' : c)}</th>`).join('')}</tr>${runs
      .map((r) => `<tr data-run-id="${esc(r.run_id)}">${columns.map((c) => `<td>${cell(r, c)}</td>`).join('')}</tr>`).join('')}</table>`;
  }

  async function runsOfDay(query) {
    const r = await api(`/api/runs?date=${encodeURIComponent(query.get('date') || '')}&proc=${encodeURIComponent(query.get('proc') || '')}`);
    main.innerHTML = `<h1>${r.runs.length} ${esc(r.proc || '')} runs on ${esc(r.date)}</h1>${runsTable(r.runs, ['chip', 'time_local', 'proc', 'has_light', 'summary', 'run_id'])}`;
  }

  async function chips(query) {
    const group = query.get('group') || '';
    const all = (await api('/api/chips')).chips;
    const groups = [...new Set(all.map((c) => c.chip_group))];
    const shown = all.filter((c) => !group || c.chip_group === group);
    main.innerHTML = `<h1>Chips</h1>
      <div class="filters"><label>group<select id="group"><option value="">all</option>${groups.map((g) => `<option ${g === group ? 'selected' : ''}>${esc(g)}</option>`).join('')}</select></label></div>
      <table class="chips"><tr><th>chip</th><th>group</th><th>runs</th><th>last run</th></tr>${shown
        .map((c) => `<tr><td>${chipLink(c.chip_group, c.chip_number, c.chip_name)}</td><td>${esc(c.chip_group)}</td><td>${c.runs}</td><td>${esc(c.last_date)}</td></tr>`).join('')}</table>`;
    document.getElementById('group').onchange = (e) => (location.hash = `#/chips${e.target.value ? `?group=${encodeURIComponent(e.target.value)}` : ''}`);
  }

  async function chip(number, query) {
    const params = new URLSearchParams();
    for (const k of ['group', 'proc', 'light', 'from', 'to']) if (query.get(k)) params.set(k, query.get(k));
    const full = await api(`/api/chips/${number}/runs?group=${encodeURIComponent(query.get('group') || '')}`);
    const h = await api(`/api/chips/${number}/runs?${params}`);
    const procs = [...new Set(full.runs.map((r) => r.proc))];
    const marks = h.runs.map((r) =>
      `<a class="mark ${r.has_light === true ? 'light' : r.has_light === false ? 'dark' : ''}" data-run-id="${esc(r.run_id)}" href="#/run/${esc(r.run_id)}"
         style="background:${procColor(r.proc)}" title="#${r.seq} ${esc(r.date_local)} ${esc(r.time_local || '')} ${esc(r.proc)} ${light(r.has_light)}\n${esc(r.summary)}"></a>`).join('');
    const sel = (name, options) => `<label>${name}<select name="${name}"><option value="">all</option>${options.map((o) => `<option ${query.get(name) === o ? 'selected' : ''}>${esc(o)}</option>`).join('')}</select></label>`;
    main.innerHTML = `<h1>${esc(h.chip_group)}${esc(number)}: ${h.runs.length} of ${full.runs.length} runs</h1>
      <form class="filters" id="filters">${sel('proc', procs)}${sel('light', ['yes', 'no'])}
        <label>from<input type="date" name="from" value="${esc(query.get('from') || '')}"></label>
        <label>to<input type="date" name="to" value="${esc(query.get('to') || '')}"></label>
        <button>Filter</button> <a id="csv" href="/api/chips/${esc(number)}/runs?${params}&format=csv" download>CSV</a></form>
      <h2>Timeline</h2><div class="timeline" id="timeline">${marks}</div>
      <div class="legend">${procs.map((p) => `<span><span class="swatch" style="background:${procColor(p)}"></span>${esc(p)}</span>`).join('')}<span>orange edge: light · faded: dark</span></div>
      <h2>History</h2>${runsTable(h.runs, ['seq', 'date_local', 'time_local', 'proc', 'has_light', 'summary', 'file_idx', 'run_id', 'source_file'])}`;
    document.getElementById('filters').onsubmit = (e) => {
      e.preventDefault();
      const q = new URLSearchParams({ group: h.chip_group });
      for (const [k, v] of new FormData(e.target)) if (v) q.set(k, v);
      location.hash = `#/chip/${number}?${q}`;
    };
  }

  async function run(id) {
    const r = await api(`/api/runs/${id}`);
    const row = r.run;
    const core = new Set(['run_id', 'source_file', 'path', 'status', 'schema_version', 'extraction_version', 'ingested_at_utc', 'source_size', 'source_mtime_ms', 'source_sha1', 'warnings', 'local_date']);
    const params = Object.entries(row).filter(([k, v]) => !core.has(k) && v !== null && v !== '');
    const siblings = row.chip_number == null ? { runs: [] } : await api(`/api/chips/${row.chip_number}/runs?group=${encodeURIComponent(row.chip_group)}&proc=${encodeURIComponent(row.proc)}`);
    main.innerHTML = `<h1>${esc(row.proc)} · ${row.chip_number == null ? '' : chipLink(row.chip_group, row.chip_number, row.chip_name)} · ${esc(row.local_date)}</h1>
      <p class="pager">${r.previous ? runLink(r.previous, '← previous run') : ''}${r.next ? runLink(r.next, 'next run →') : ''}</p>
      <p>${esc(row.summary)}</p>
      <div id="chart" data-run-id="${esc(id)}"></div><p class="muted" id="chart-note"></p>
      ${siblings.runs.length > 1 ? `<h2>Overlay other ${esc(row.proc)} runs of this chip</h2><div class="overlay">${siblings.runs.filter((s) => s.run_id !== id)
        .map((s) => `<label><input type="checkbox" value="${esc(s.run_id)}" data-label="#${s.seq} ${esc(s.date_local)}"> #${s.seq} ${esc(s.date_local)} ${esc(s.summary)}</label><br>`).join('')}</div>` : ''}
      <h2>Manifest row</h2><dl class="params">${params.map(([k, v]) => `<div><dt>${esc(withUnit(k))}</dt><dd>${esc(k === 'has_light' ? light(v) : v)}</dd></div>`).join('')}</dl>
      <p class="muted">${esc(row.source_file)} · run ${esc(row.run_id)} · ${esc(row.path)}</p>
      <h2>From code</h2>${['duckdb', 'polars', 'pandas'].map((k) => `<h3>${k === 'duckdb' ? 'DuckDB (SQL)' : k === 'polars' ? 'Polars' : 'pandas'}</h3><pre>${esc(r.snippets[k])}</pre>`).join('')}`;
    if (!r.has_file || !r.plot) {
      document.getElementById('chart-note').textContent = !r.has_file ? 'The data file of this run is missing.' : 'The procedures YAML gives no plot for this procedure.';
      return;
    }
    const el = document.getElementById('chart');
    const points = Math.max(300, Math.min(6000, el.clientWidth * 2));
    const fetchRuns = (ids, range) => Promise.all(ids.map(async (rid) => ({
      label: rid === id ? 'this run' : document.querySelector(`input[value="${rid}"]`).dataset.label,
      series: await api(`/api/runs/${rid}/series?points=${points}${range ? `&from=${range[0]}&to=${range[1]}` : ''}`),
    })));
    const redraw = async () => {
      const ids = [id, ...[...document.querySelectorAll('.overlay input:checked')].map((i) => i.value)];
      const runs = await fetchRuns(ids);
      window.strataChart.draw(el, runs, (from, to) => fetchRuns(ids, [from, to]));
      const s = runs[0].series;
      document.getElementById('chart-note').textContent = `${s.rows.toLocaleString('en-US')} rows, ${s.data[0].length.toLocaleString('en-US')} points drawn${s.exact ? '' : ' (downsampled per pixel: drag to zoom in for the exact points)'}${s.light.length ? '; shaded: laser on' : ''}.`;
    };
    for (const box of document.querySelectorAll('.overlay input')) box.onchange = redraw;
    await redraw();
  }

  async function show() {
    const [route, search] = location.hash.replace(/^#/, '').split('?');
    const query = new URLSearchParams(search || '');
    const parts = (route || '/').split('/').filter(Boolean);
    try {
      if (parts.length === 0) await overview();
      else if (parts[0] === 'chips') await chips(query);
      else if (parts[0] === 'runs') await runsOfDay(query);
      else if (parts[0] === 'chip' && /^\d+$/.test(parts[1] || '')) await chip(parts[1], query);
      else if (parts[0] === 'run' && /^[0-9a-f]{16}$/.test(parts[1] || '')) await run(parts[1]);
      else main.innerHTML = '<p class="error">No such page.</p>';
    } catch (error) {
      main.innerHTML = `<p class="error">${esc(error.message)}</p>`;
    }
    document.body.dataset.ready = location.hash || '#/';
  }
  window.addEventListener('hashchange', show);
  show();
})();
