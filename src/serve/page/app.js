// strata serve: the page's router. Each route renders into its own nodes and is swapped in only while it is still
// the page asked for: a route left behind (a quick second click) aborts its calls and never touches the new page.
import { el, fill, link } from './dom.js';
import { ApiError } from './api.js';
import { overviewPage } from './view-overview.js';
import { chipsPage } from './view-chips.js';
import { chipPage } from './view-chip.js';
import { runPage } from './view-run.js';
import { dayPage, searchPage } from './view-search.js';
import { familyPage, metricsPage } from './view-metrics.js';

const main = document.getElementById('main');
let current = null;

/** What a page gets: its query, an abort signal, and `mount` to put its nodes on screen if it is still wanted. */
function pageContext(route, query) {
  const controller = new AbortController();
  const leaving = [];
  const ctx = {
    route,
    query,
    signal: controller.signal,
    live: () => current === ctx,
    onLeave: (fn) => leaving.push(fn),
    mount(node, title) {
      if (!ctx.live()) return false;
      fill(main, node);
      document.title = title ? `${title} · strata` : 'strata';
      return true;
    },
    leave() {
      controller.abort();
      for (const fn of leaving) fn();
    },
  };
  return ctx;
}

function problemPage(error) {
  const missing = error instanceof ApiError && error.status === 404;
  return el('div', {},
    el('h1', {}, missing ? 'Not found' : 'Something went wrong'),
    el('p', { class: 'error', role: 'alert' }, error.message),
    el('p', {}, link('#/', 'Overview'), ' · ', link('#/chips', 'Chips'), ' · ', link('#/search', 'Search')),
  );
}

async function render(ctx, parts) {
  const [first, second, third] = parts;
  if (first === undefined) return overviewPage(ctx);
  if (first === 'chips' && second === undefined) return chipsPage(ctx);
  if (first === 'chip' && second !== undefined && third === undefined) return chipPage(ctx, second);
  if (first === 'chip' && second !== undefined && third === 'metrics') return metricsPage(ctx, second);
  if (first === 'chip' && second !== undefined && third === 'family') return familyPage(ctx, second);
  if (first === 'run' && second !== undefined) return runPage(ctx, second);
  if (first === 'runs') return dayPage(ctx);
  if (first === 'search') return searchPage(ctx);
  ctx.mount(el('p', { class: 'error' }, 'No such page.'));
}

let firstShow = true;

async function show() {
  const started = firstShow ? 0 : performance.now();
  firstShow = false;
  const hash = location.hash || '#/';
  const [path, search] = hash.replace(/^#/, '').split('?');
  let parts;
  try {
    parts = (path || '/').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = ['?'];
  }
  current?.leave();
  const ctx = pageContext(hash, new URLSearchParams(search || ''));
  current = ctx;
  delete document.body.dataset.ready;
  try {
    await render(ctx, parts);
  } catch (error) {
    if (!ctx.live() || error.name === 'AbortError') return;
    ctx.mount(problemPage(error), 'Problem');
  }
  if (ctx.live()) {
    // When it became usable: from the document's start on a first load, from the click after that.
    document.body.dataset.readyMs = String(Math.round(performance.now() - started));
    document.body.dataset.ready = hash;
  }
}

window.addEventListener('hashchange', show);
show();
