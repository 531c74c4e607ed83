// strata serve: what a chart says about the point under the pointer (or the keyboard's cursor): which point is
// nearest, and its values with their units, the branch of a sweep and the run's details.
import { formatQuantity } from './format.js';
import { formatOnAxis, yValue } from './plot-scene.js';

/** The point nearest to a pixel among the shown series, within `radius` px: { series, index } or null. */
export function nearestPoint(spec, state, scene, px, py, radius = 40) {
  let best = null;
  let bestD = radius * radius;
  spec.series.forEach((s, si) => {
    if (state.hidden.has(si)) return;
    for (let i = 0; i < s.x.length; i++) {
      const x = scene.xs.px(s.x[i]);
      if (s.kind === 'bars') {
        const half = Math.abs(scene.xs.px(s.x[i] + (s.barWidth ?? 0)) - x) / 2;
        const top = scene.ys.px(s.y[i]);
        const bottom = scene.ys.px(s.base ? s.base[i] : 0);
        if (px >= x - half && px <= x + half && py >= Math.min(top, bottom) - 2 && py <= Math.max(top, bottom) + 2) {
          best = { series: si, index: i };
          bestD = -1;
        }
        continue;
      }
      const y = scene.ys.px(yValue(s, i, state));
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const d = (x - px) ** 2 + (y - py) ** 2;
      if (d < bestD) {
        bestD = d;
        best = { series: si, index: i };
      }
    }
  });
  return best;
}

/** The readout of one point: the series, both values with their units, the branch of a sweep, and its details. */
export function describePoint(spec, state, at) {
  const s = spec.series[at.series];
  const i = at.index;
  const xText = formatOnAxis(spec.x, s.x[i]);
  const yRaw = s.kind === 'bars' && s.base ? s.y[i] - s.base[i] : s.y[i];
  const yText = spec.y.categories ? formatOnAxis(spec.y, s.y[i]) : formatQuantity(yRaw, spec.y.unit);
  let branch = '';
  if (s.sweep) {
    const before = i > 0 ? s.x[i] - s.x[i - 1] : 0;
    const after = i + 1 < s.x.length ? s.x[i + 1] - s.x[i] : 0;
    const d = before !== 0 ? before : after;
    branch = d > 0 ? ' · forward' : d < 0 ? ' · backward' : '';
  }
  const detail = s.detail ? ` · ${s.detail(i)}` : '';
  const yName = spec.y.categories ? '' : `${spec.y.label} = `;
  return `${s.label}: ${spec.x.label} = ${xText}, ${yName}${yText}${branch}${detail}`;
}
