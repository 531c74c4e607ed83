// strata serve: a chart as a list of drawing operations (lines, paths, marks, text), laid out once and drawn
// either on a canvas (the page, PNG) or as SVG, so every export looks like the page.
import { axisTitle, formatLocalMs, formatQuantity, logTickLabels, tickLabels } from './format.js';
import { linearTicks, logTicks, timeTicks } from './ticks.js';

export const FONT = '12px system-ui, sans-serif';
const GRID = '#e5e7eb';
const AXIS = '#6b7280';
const INK = '#1f2937';

/** Whether a value can be placed on an axis of this kind. */
const usable = (v, kind) => v !== null && v !== undefined && Number.isFinite(v) && (kind !== 'log' || v > 0);

/** The y values as the chart draws them: |y| when the log toggle is on. */
export function yValue(series, i, state) {
  const v = series.y[i];
  return state.logY && v !== null && v !== undefined ? Math.abs(v) : v;
}

export function yKind(spec, state) {
  return state.logY || spec.y.kind === 'log' ? 'log' : 'linear';
}

function extent(values, kind) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!usable(v, kind)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function padded([lo, hi], kind, pad = 0.04) {
  if (kind === 'log') {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    const span = b - a || 1;
    return [10 ** (a - span * pad), 10 ** (b + span * pad)];
  }
  const span = hi - lo || Math.abs(hi) * 0.1 || 1;
  return [lo - span * pad, hi + span * pad];
}

/** The x range of every shown series (bars by their full width); null when nothing can be placed. */
export function xDomain(spec, state) {
  const kind = spec.x.kind === 'log' ? 'log' : 'linear';
  const found = [];
  for (const s of visible(spec, state)) {
    const e = extent(s.x, kind);
    if (e) found.push(s.kind === 'bars' ? [e[0] - (s.barWidth ?? 0) / 2, e[1] + (s.barWidth ?? 0) / 2] : e);
  }
  if (found.length === 0) return null;
  // Marks need room at the edges; a curve or bars fill the width.
  const pad = visible(spec, state).some((s) => s.kind === 'points') ? 0.05 : 0.02;
  return padded([Math.min(...found.map((e) => e[0])), Math.max(...found.map((e) => e[1]))], kind, pad);
}

/** The y range of the points shown within the x range (bars from 0), or the categories. */
export function yDomain(spec, state, xRange) {
  if (spec.y.categories) return [-0.6, spec.y.categories.length - 0.4];
  const kind = yKind(spec, state);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of visible(spec, state)) {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      if (xRange && !(x >= xRange[0] && x <= xRange[1])) continue;
      const y = yValue(s, i, state);
      if (!usable(y, kind)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
      if (s.kind === 'bars' && s.base) lo = Math.min(lo, s.base[i] ?? 0);
    }
  }
  if (!(lo <= hi)) return kind === 'log' ? [1e-12, 1] : [0, 1];
  return padded([lo, hi], kind, 0.06);
}

export const visible = (spec, state) => spec.series.filter((s, i) => !state.hidden.has(i));

/** Maps values to pixels (and back) on a linear or log axis. */
export function scale(kind, [min, max], p0, p1) {
  if (kind === 'log') {
    const a = Math.log10(min);
    const b = Math.log10(max);
    return {
      kind, min, max,
      px: (v) => (v > 0 ? p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0) : NaN),
      value: (p) => 10 ** (a + ((p - p0) / (p1 - p0)) * (b - a)),
    };
  }
  return { kind, min, max, px: (v) => p0 + ((v - min) / (max - min)) * (p1 - p0), value: (p) => min + ((p - p0) / (p1 - p0)) * (max - min) };
}

/** Ticks, their labels and the axis title of one axis. */
export function axisTicks(spec, horizontal, kind, range, pixels, label = spec.label) {
  const target = Math.max(2, Math.round(pixels / (horizontal ? 110 : 55)));
  const [min, max] = range;
  if (spec.categories) {
    const ticks = spec.categories.map((_, i) => i).filter((i) => i >= min && i <= max);
    return { ticks, labels: ticks.map((i) => spec.categories[i]), title: label };
  }
  if (spec.kind === 'time') {
    const t = timeTicks(min, max, target, spec.minStep ?? 0);
    return { ticks: t.ticks, labels: t.labels, title: label };
  }
  if (kind === 'log') {
    const t = logTicks(min, max, target);
    const l = logTickLabels(t.ticks, spec.unit);
    return { ticks: t.ticks, labels: l.labels, title: axisTitle(label, l.unit) };
  }
  const t = linearTicks(min, max, target);
  const l = tickLabels(t.ticks, t.step, spec.unit);
  return { ticks: t.ticks, labels: l.labels, title: axisTitle(label, l.unit) };
}

/** A value as the readout shows it on this axis. */
export function formatOnAxis(axisSpec, v) {
  if (axisSpec.categories) return axisSpec.categories[Math.round(v)] ?? '';
  if (axisSpec.kind === 'time') return formatLocalMs(v);
  return formatQuantity(v, axisSpec.unit);
}

/** The pieces of a series' curve: cut at breaks, gaps and unplaceable values; sweeps cut where x turns back. */
export function curvePieces(series, state, xs, ys) {
  const pieces = [];
  const breaks = new Set(series.breaks ?? []);
  let piece = null;
  for (let i = 0; i < series.x.length; i++) {
    const px = xs(series.x[i]);
    const py = ys(yValue(series, i, state));
    if (!Number.isFinite(px) || !Number.isFinite(py) || series.y[i] === null || series.x[i] === null) {
      piece = null;
      continue;
    }
    if (piece === null || breaks.has(i)) {
      piece = { points: [[px, py]], first: i, dir: 0 };
      pieces.push(piece);
      continue;
    }
    if (series.sweep) {
      const dx = series.x[i] - series.x[i - 1];
      const dir = dx > 0 ? 1 : dx < 0 ? -1 : 0;
      if (dir !== 0 && piece.dir !== 0 && dir !== piece.dir) {
        const last = piece.points[piece.points.length - 1];
        piece = { points: [last, [px, py]], first: i - 1, dir };
        pieces.push(piece);
        continue;
      }
      if (dir !== 0) piece.dir = dir;
    }
    piece.points.push([px, py]);
  }
  return pieces;
}

/** Arrowheads along a branch (one per 220 px, at least one), pointing the way it was swept. */
function arrows(points, color) {
  const ops = [];
  const lengths = [0];
  for (let k = 1; k < points.length; k++) lengths.push(lengths[k - 1] + Math.hypot(points[k][0] - points[k - 1][0], points[k][1] - points[k - 1][1]));
  const total = lengths[lengths.length - 1];
  if (total < 24) return ops;
  const n = Math.max(1, Math.floor(total / 220));
  for (let a = 1; a <= n; a++) {
    const at = (total * a) / (n + 1);
    const k = lengths.findIndex((l) => l >= at);
    if (k < 1) continue;
    const [x0, y0] = points[k - 1];
    const [x1, y1] = points[k];
    const f = (at - lengths[k - 1]) / (lengths[k] - lengths[k - 1] || 1);
    const cx = x0 + (x1 - x0) * f;
    const cy = y0 + (y1 - y0) * f;
    const angle = Math.atan2(y1 - y0, x1 - x0);
    const tip = (r, da) => [cx + r * Math.cos(angle + da), cy + r * Math.sin(angle + da)];
    ops.push({ op: 'polygon', points: [tip(6, 0), tip(6, Math.PI * 0.8), tip(6, -Math.PI * 0.8)], fill: color, clip: true });
  }
  return ops;
}

function seriesOps(series, state, xs, ys) {
  const color = series.color;
  if (series.kind === 'bars') {
    const ops = [];
    const half = Math.max(1, Math.abs(xs(series.x[0] + (series.barWidth ?? 0)) - xs(series.x[0])) / 2);
    for (let i = 0; i < series.x.length; i++) {
      const cx = xs(series.x[i]);
      const top = ys(series.y[i]);
      const bottom = ys(series.base ? series.base[i] : 0);
      if (!Number.isFinite(cx) || !Number.isFinite(top)) continue;
      ops.push({ op: 'rect', x: cx - half, y: Math.min(top, bottom), w: half * 2, h: Math.max(1, Math.abs(bottom - top)), fill: color, clip: true });
    }
    return ops;
  }
  if (series.kind === 'points') {
    const marks = [];
    for (let i = 0; i < series.x.length; i++) {
      const px = xs(series.x[i]);
      const py = ys(yValue(series, i, state));
      if (Number.isFinite(px) && Number.isFinite(py)) marks.push({ x: px, y: py, hollow: series.hollow ? series.hollow[i] : false });
    }
    return [{ op: 'marks', marks, shape: series.shape ?? 'circle', size: series.size ?? 4, color, clip: true }];
  }
  const ops = [];
  for (const piece of curvePieces(series, state, xs, ys)) {
    const backward = series.sweep && piece.dir < 0;
    ops.push({ op: 'path', points: piece.points, stroke: color, width: series.width ?? 1.4, dash: backward ? [5, 3] : null, clip: true });
    if (series.sweep && piece.dir !== 0) ops.push(...arrows(piece.points, color));
  }
  return ops;
}

/**
 * The chart laid out `width` wide, its plot `plotHeight` high: the frame of the plot, the scales and the
 * operations. With `exported`, a title above and a legend below are part of the picture (and of its height).
 */
export function buildScene(spec, state, width, plotHeight, measure, exported = false) {
  const titleBand = exported ? 28 : 0;
  const legendItems = exported ? legendEntries(spec, state) : [];
  const legendBand = exported ? Math.ceil(legendItems.length / Math.max(1, Math.floor((width - 40) / 220))) * 18 + (legendItems.length ? 10 : 0) : 0;
  const height = titleBand + plotHeight + legendBand;
  const xKind = spec.x.kind === 'log' ? 'log' : 'linear';
  const yk = yKind(spec, state);
  const xRange = state.x ?? xDomain(spec, state) ?? [0, 1];
  const yRange = state.y ?? yDomain(spec, state, state.x);
  const top = titleBand + 10;
  const bottom = titleBand + plotHeight - 44;
  const yTicks = axisTicks(spec.y, false, yk, yRange, bottom - top, state.logY ? `|${spec.y.label}|` : spec.y.label);
  const left = Math.ceil(Math.max(30, ...yTicks.labels.map((l) => measure(l))) + 30);
  const right = width - 18;
  const frame = { left, top, width: right - left, height: bottom - top };
  const xs = scale(xKind, xRange, left, right);
  const ys = scale(yk, yRange, bottom, top);
  const xTicks = axisTicks(spec.x, true, xKind, xRange, frame.width);
  const ops = [{ op: 'rect', x: 0, y: 0, w: width, h: height, fill: '#ffffff' }];
  if (exported && spec.title) ops.push({ op: 'text', x: 12, y: 18, text: spec.title, font: `600 ${FONT}`, fill: INK, align: 'left', baseline: 'middle' });
  for (const shade of spec.shades ?? []) {
    const a = xs.px(shade.from);
    const b = xs.px(shade.to);
    if (Number.isFinite(a) && Number.isFinite(b)) ops.push({ op: 'rect', x: Math.min(a, b), y: top, w: Math.abs(b - a), h: frame.height, fill: 'rgba(244, 162, 97, 0.22)', clip: true });
  }
  yTicks.ticks.forEach((t, k) => {
    const y = ys.px(t);
    ops.push({ op: 'line', x1: left, y1: y, x2: right, y2: y, stroke: GRID, width: 1 });
    ops.push({ op: 'text', x: left - 6, y, text: yTicks.labels[k], font: FONT, fill: AXIS, align: 'right', baseline: 'middle' });
  });
  xTicks.ticks.forEach((t, k) => {
    const x = xs.px(t);
    ops.push({ op: 'line', x1: x, y1: top, x2: x, y2: bottom, stroke: GRID, width: 1 });
    // A label at the right edge ends there rather than past the picture.
    const half = measure(xTicks.labels[k]) / 2;
    const edge = x + half > width - 2;
    ops.push({ op: 'text', x: edge ? width - 2 : x, y: bottom + 14, text: xTicks.labels[k], font: FONT, fill: AXIS, align: edge ? 'right' : 'center', baseline: 'middle' });
  });
  spec.series.forEach((s, i) => {
    if (!state.hidden.has(i)) ops.push(...seriesOps(s, state, xs.px, ys.px));
  });
  ops.push({ op: 'frame', x: left, y: top, w: frame.width, h: frame.height, stroke: AXIS });
  ops.push({ op: 'text', x: left + frame.width / 2, y: bottom + 34, text: xTicks.title, font: FONT, fill: INK, align: 'center', baseline: 'middle' });
  ops.push({ op: 'text', x: 12, y: top + frame.height / 2, text: yTicks.title, font: FONT, fill: INK, align: 'center', baseline: 'middle', rotate: -90 });
  if (exported) ops.push(...legendOps(legendItems, width, titleBand + plotHeight + 4));
  return { ops, frame, xs, ys, xTicks, yTicks, width, height };
}

/** What the legend lists: each shown series, and for sweeps which line is which branch. */
export function legendEntries(spec, state) {
  if (spec.legend && spec.legend.kind === 'ramp') return [{ color: spec.legend.from.color, label: spec.legend.from.label }, { color: spec.legend.to.color, label: spec.legend.to.label }];
  const items = spec.series.filter((_, i) => !state.hidden.has(i)).map((s) => ({ color: s.color, label: s.label }));
  if (spec.series.some((s) => s.sweep)) items.push({ color: INK, label: 'solid: forward (x rising) · dashed: backward' });
  if ((spec.shades ?? []).length) items.push({ color: 'rgba(244, 162, 97, 0.6)', label: 'shaded: laser on' });
  return items;
}

function legendOps(items, width, y0) {
  const ops = [];
  const per = Math.max(1, Math.floor((width - 40) / 220));
  items.forEach((item, k) => {
    const x = 16 + (k % per) * 220;
    const y = y0 + Math.floor(k / per) * 18 + 8;
    ops.push({ op: 'rect', x, y: y - 5, w: 10, h: 10, fill: item.color });
    ops.push({ op: 'text', x: x + 16, y, text: item.label.length > 34 ? `${item.label.slice(0, 33)}…` : item.label, font: FONT, fill: INK, align: 'left', baseline: 'middle' });
  });
  return ops;
}
