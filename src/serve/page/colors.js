// strata serve: colours: ten that are easy to tell apart, then as many more as needed; a ramp for dates.

const DISTINCT = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** The i-th series colour: ten distinct ones, then hues spread by the golden angle (any number of overlays). */
export function seriesColor(i) {
  if (i < DISTINCT.length) return DISTINCT[i];
  const hue = Math.round((i * 137.508) % 360);
  const light = 38 + ((i * 7) % 3) * 8;
  return `hsl(${hue}, 65%, ${light}%)`;
}

const VIRIDIS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];

/** A colour from dark purple (0) to yellow (1): older runs dark, newer ones bright. */
export function rampColor(t) {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - k;
  const [a, b] = [VIRIDIS[k], VIRIDIS[k + 1]];
  const mix = (i) => Math.round(a[i] + (b[i] - a[i]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** Stops for a CSS or SVG gradient of the ramp. */
export function rampStops(n = 10) {
  return Array.from({ length: n }, (_, k) => rampColor(k / (n - 1)));
}

/** A fixed colour per name (a procedure keeps its colour on every page of a visit). */
export function colorFor(name) {
  const known = colorFor.known;
  if (!known.has(name)) known.set(name, seriesColor(known.size));
  return known.get(name);
}
colorFor.known = new Map();
