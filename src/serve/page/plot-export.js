// strata serve: what a chart's PNG and CSV downloads hold: the picture with its title and legend at twice the
// screen's resolution, and the data shown in base units (text a spreadsheet would run as a formula kept as text).
import { download, fileSlug } from './dom.js';
import { formatLocalMs } from './format.js';
import { visible } from './plot-scene.js';
import { drawOnCanvas } from './plot-render.js';

/** A CSV cell: numbers as they are; text quoted where it must be, and never read as a formula. */
function csvCell(value) {
  if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return '';
  if (typeof value === 'number') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const axisCsvTitle = (axis) => (axis.unit ? `${axis.label} (${axis.unit})` : axis.label);

/** One line per point of each shown series: the series, x, y and the series' own columns (`csvColumns`). */
export function chartCsv(spec, state) {
  const extra = spec.csvColumns ?? [];
  const lines = [['series', axisCsvTitle(spec.x), spec.y.categories ? spec.y.label : axisCsvTitle(spec.y), ...extra].map(csvCell).join(',')];
  for (const s of visible(spec, state)) {
    for (let i = 0; i < s.x.length; i++) {
      const x = spec.x.kind === 'time' ? formatLocalMs(s.x[i]) : s.x[i];
      const y = spec.y.categories ? spec.y.categories[s.y[i]] : s.kind === 'bars' && s.base ? s.y[i] - s.base[i] : s.y[i];
      lines.push([s.label, x, y, ...(s.csv ? s.csv(i) : [])].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The scene drawn at twice its size on a canvas of its own, offered as a PNG file. */
export function downloadPng(scene, title) {
  const canvas = document.createElement('canvas');
  canvas.width = scene.width * 2;
  canvas.height = scene.height * 2;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(2, 0, 0, 2, 0, 0);
  drawOnCanvas(ctx, scene);
  canvas.toBlob((blob) => blob && download(`${fileSlug(title)}.png`, blob), 'image/png');
}
