// strata serve: an interactive chart. Drag or keys to zoom and pan, double-click or 0 to restore, a readout of
// the nearest point, a log |y| toggle, PNG / SVG / CSV of what is shown; every control is a labelled button.
import { download, el, fileSlug, fill } from './dom.js';
import { rampStops } from './colors.js';
import { FONT, buildScene, curvePieces, legendEntries, xDomain, yValue } from './plot-scene.js';
import { describePoint, nearestPoint } from './plot-readout.js';
import { drawOnCanvas, sceneToSvg } from './plot-render.js';
import { chartCsv, downloadPng } from './plot-export.js';

let measureContext = null;
function measure(text) {
  measureContext ??= document.createElement('canvas').getContext('2d');
  measureContext.font = FONT;
  return measureContext.measureText(text).width;
}

/**
 * spec: { title, height, x: { label, unit, kind: linear|log|time, categories? }, y: { ..., logToggle? },
 *   series: [{ label, color, kind: line|points|bars, x, y, breaks?, sweep?, hollow?, base?, barWidth?, detail?(i), csv?(i) }],
 *   shades?: [{ from, to }], legend?: { kind: 'ramp', from, to } | { kind: 'none' }, onPick?(series, index),
 *   onZoom?([from, to]) -> Promise<series[] | null>, csvColumns?: [names of csv(i) values] }
 */
export function createChart(spec) {
  let home = spec.series;
  const state = { x: null, y: null, logY: spec.y.kind === 'log', hidden: new Set(), cursor: null };
  let scene = null;
  let drag = null;
  let zoomTicket = 0;
  let zoomTimer = null;

  const main = el('canvas', { class: 'chart-main', 'aria-hidden': 'true' });
  const overlay = el('canvas', { class: 'chart-overlay', 'aria-hidden': 'true' });
  const box = el('div', {
    class: 'chart-box',
    tabindex: 0,
    role: 'group',
    'aria-label': `${spec.title}. Drag across it or use the arrow keys to move, + and − to zoom, 0 or a double-click to restore, [ and ] to step through the points${spec.onPick ? ', Enter to open the point' : ''}.`,
    style: { height: `${spec.height ?? 420}px` },
  }, main, overlay);
  const readout = el('p', { class: 'readout', 'aria-live': 'polite' }, ' ');
  const legend = el('div', { class: 'chart-legend' });
  const logButton = spec.y.logToggle
    ? el('button', { type: 'button', 'aria-pressed': String(state.logY), on: { click: () => toggleLog() } }, spec.y.logToggle)
    : null;
  const button = (text, label, action) => el('button', { type: 'button', 'aria-label': label, on: { click: action } }, text);
  const tools = el('div', { class: 'chart-tools', role: 'toolbar', 'aria-label': `Controls of the chart ${spec.title}` },
    button('Zoom in', 'Zoom in', () => zoomBy(0.5)),
    button('Zoom out', 'Zoom out', () => zoomBy(2)),
    button('Reset', 'Reset the zoom: show everything', () => reset()),
    logButton,
    el('span', { class: 'tools-gap' }),
    button('PNG', `Download the chart ${spec.title} as PNG`, () => exportPng()),
    button('SVG', `Download the chart ${spec.title} as SVG`, () => exportSvg()),
    button('CSV', `Download the data behind the chart ${spec.title} as CSV`, () => exportCsv()),
  );
  const figure = el('figure', { class: 'chart' }, el('figcaption', {}, spec.title), tools, box, readout, legend);
  figure.strataChart = { state, scene: () => scene, spec, reset, zoomTo, pieces: () => piecesOf() };

  function render() {
    const width = Math.max(320, box.clientWidth);
    const height = spec.height ?? 420;
    const ratio = window.devicePixelRatio || 1;
    for (const canvas of [main, overlay]) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const ctx = main.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    scene = buildScene(spec, state, width, height, measure);
    drawOnCanvas(ctx, scene);
    drawOverlay();
    figure.dataset.drawn = 'yes';
    figure.dataset.points = String(spec.series[0]?.x.length ?? 0);
    figure.dataset.xMin = String(scene.xs.min);
    figure.dataset.xMax = String(scene.xs.max);
    figure.dataset.logY = String(state.logY);
  }

  function drawOverlay() {
    const ratio = window.devicePixelRatio || 1;
    const ctx = overlay.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    if (!scene) return;
    const { frame } = scene;
    if (drag && Math.abs(drag.x1 - drag.x0) > 1) {
      ctx.fillStyle = 'rgba(29, 53, 87, 0.12)';
      ctx.fillRect(Math.min(drag.x0, drag.x1), frame.top, Math.abs(drag.x1 - drag.x0), frame.height);
    }
    const at = state.cursor;
    if (at && spec.series[at.series] && !state.hidden.has(at.series)) {
      const s = spec.series[at.series];
      const x = scene.xs.px(s.x[at.index]);
      const y = scene.ys.px(s.kind === 'bars' ? s.y[at.index] : yValue(s, at.index, state));
      if (Number.isFinite(x) && Number.isFinite(y)) {
        ctx.strokeStyle = '#111827';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(x, y, 5, 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
  }

  function drawLegend() {
    if (spec.legend?.kind === 'none') return fill(legend);
    if (spec.legend?.kind === 'ramp') {
      const bar = el('span', { class: 'ramp', style: { background: `linear-gradient(to right, ${rampStops().join(', ')})` } });
      return fill(legend, el('span', {}, spec.legend.from.label), bar, el('span', {}, spec.legend.to.label), spec.legend.note ? el('span', { class: 'muted' }, spec.legend.note) : null);
    }
    const items = spec.series.map((s, i) =>
      el('label', { class: 'legend-item' },
        el('input', { type: 'checkbox', checked: !state.hidden.has(i), on: { change: (e) => toggleSeries(i, e.target.checked) } }),
        el('span', { class: 'swatch', style: { background: s.color } }),
        s.label),
    );
    const notes = legendEntries(spec, { ...state, hidden: new Set(spec.series.map((_, i) => i)) }).map((n) => el('span', { class: 'muted' }, n.label));
    fill(legend, items, notes);
  }

  function setReadout(at) {
    state.cursor = at;
    readout.textContent = at ? describePoint(spec, state, at) : ' ';
    drawOverlay();
  }

  function toggleSeries(i, shown) {
    if (shown) state.hidden.delete(i);
    else state.hidden.add(i);
    state.y = null;
    render();
  }

  function toggleLog() {
    state.logY = !state.logY;
    state.y = null;
    logButton?.setAttribute('aria-pressed', String(state.logY));
    render();
    if (state.cursor) setReadout(state.cursor);
  }

  function zoomTo(range) {
    const [a, b] = range[0] <= range[1] ? range : [range[1], range[0]];
    if (!(b > a)) return;
    state.x = [a, b];
    state.y = null;
    render();
    if (!spec.onZoom) return;
    clearTimeout(zoomTimer);
    const ticket = ++zoomTicket;
    zoomTimer = setTimeout(async () => {
      const series = await spec.onZoom([a, b]).catch(() => null);
      if (ticket !== zoomTicket || !series) return;
      spec.series = series;
      setReadout(null);
      render();
      figure.dataset.zoomed = 'exact';
    }, 120);
  }

  function zoomBy(factor, around) {
    const [a, b] = scene ? [scene.xs.min, scene.xs.max] : xDomain(spec, state) ?? [0, 1];
    const centre = around ?? (a + b) / 2;
    zoomTo([centre - ((centre - a) * factor), centre + ((b - centre) * factor)]);
  }

  function pan(fraction) {
    if (!scene) return;
    const span = scene.xs.max - scene.xs.min;
    zoomTo([scene.xs.min + span * fraction, scene.xs.max + span * fraction]);
  }

  function reset() {
    zoomTicket++;
    clearTimeout(zoomTimer);
    if (spec.series !== home) setReadout(null);
    spec.series = home;
    state.x = null;
    state.y = null;
    delete figure.dataset.zoomed;
    render();
  }

  function step(delta) {
    const shown = spec.series.map((_, i) => i).filter((i) => !state.hidden.has(i));
    if (shown.length === 0) return;
    const at = state.cursor && shown.includes(state.cursor.series) ? state.cursor : { series: shown[0], index: delta > 0 ? -1 : spec.series[shown[0]].x.length };
    const n = spec.series[at.series].x.length;
    setReadout({ series: at.series, index: Math.max(0, Math.min(n - 1, at.index + delta)) });
  }

  const local = (e) => {
    const r = box.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const inFrame = ([x, y]) => scene && x >= scene.frame.left && x <= scene.frame.left + scene.frame.width && y >= scene.frame.top && y <= scene.frame.top + scene.frame.height;

  box.addEventListener('mousedown', (e) => {
    const p = local(e);
    if (e.button !== 0 || !inFrame(p)) return;
    drag = { x0: p[0], x1: p[0], y0: p[1] };
    e.preventDefault();
    box.focus({ preventScroll: true });
  });
  box.addEventListener('mousemove', (e) => {
    const p = local(e);
    if (drag) {
      drag.x1 = Math.max(scene.frame.left, Math.min(scene.frame.left + scene.frame.width, p[0]));
      drawOverlay();
      return;
    }
    if (scene && inFrame(p)) setReadout(nearestPoint(spec, state, scene, p[0], p[1]) ?? state.cursor);
  });
  window.addEventListener('mouseup', onMouseUp);
  function onMouseUp(e) {
    if (!drag) return;
    const d = drag;
    drag = null;
    drawOverlay();
    if (Math.abs(d.x1 - d.x0) > 4) return zoomTo([scene.xs.value(d.x0), scene.xs.value(d.x1)]);
    const p = local(e);
    const at = nearestPoint(spec, state, scene, p[0], p[1], 12);
    if (at && spec.onPick) spec.onPick(spec.series[at.series], at.index);
  }
  box.addEventListener('dblclick', (e) => {
    e.preventDefault();
    reset();
  });
  box.addEventListener('keydown', (e) => {
    const keys = {
      ArrowLeft: () => pan(-0.2), ArrowRight: () => pan(0.2), '+': () => zoomBy(0.5), '=': () => zoomBy(0.5), '-': () => zoomBy(2),
      0: () => reset(), Home: () => reset(), '[': () => step(-1), ']': () => step(1),
      Enter: () => state.cursor && spec.onPick && spec.onPick(spec.series[state.cursor.series], state.cursor.index),
    };
    const action = keys[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });

  /** Each series as drawn: its pieces in drawing order (first data index, points, direction of a sweep). */
  function piecesOf() {
    if (!scene) return [];
    return spec.series.map((s) => curvePieces(s, state, scene.xs.px, scene.ys.px).map((p) => ({ first: p.first, points: p.points.length, dir: p.dir })));
  }

  const exportScene = () => buildScene(spec, state, Math.max(640, box.clientWidth), spec.height ?? 420, measure, true);
  const exportPng = () => downloadPng(exportScene(), spec.title);
  const exportSvg = () => download(`${fileSlug(spec.title)}.svg`, new Blob([sceneToSvg(exportScene())], { type: 'image/svg+xml' }));
  const exportCsv = () => download(`${fileSlug(spec.title)}.csv`, new Blob([chartCsv(spec, state)], { type: 'text/csv' }));

  const observer = new ResizeObserver(() => {
    if (box.clientWidth > 0) render();
  });
  observer.observe(box);
  drawLegend();

  return {
    node: figure,
    /** New data for the same axes (overlays added or removed): the zoom is kept. */
    setSeries(series) {
      spec.series = series;
      home = series;
      state.hidden.clear();
      setReadout(null);
      drawLegend();
      if (box.clientWidth > 0) render();
    },
    destroy() {
      observer.disconnect();
      window.removeEventListener('mouseup', onMouseUp);
      clearTimeout(zoomTimer);
      zoomTicket++;
    },
  };
}
