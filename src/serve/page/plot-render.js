// strata serve: drawing a chart's operations on a canvas, or writing them as an SVG document. Operations marked
// `clip` stay inside the plot's frame (a zoomed view never spills shading or curves over the axes).

function withClip(ctx, frame, clip, draw) {
  if (!clip) return draw();
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.left, frame.top, frame.width, frame.height);
  ctx.clip();
  draw();
  ctx.restore();
}

/** Draws the scene on a 2D context whose transform already maps CSS pixels. */
export function drawOnCanvas(ctx, scene) {
  const { frame } = scene;
  for (const o of scene.ops) {
    withClip(ctx, frame, o.clip, () => {
      if (o.op === 'rect') {
        ctx.fillStyle = o.fill;
        ctx.fillRect(o.x, o.y, o.w, o.h);
      } else if (o.op === 'frame') {
        ctx.strokeStyle = o.stroke;
        ctx.lineWidth = 1;
        ctx.strokeRect(Math.round(o.x) + 0.5, Math.round(o.y) + 0.5, Math.round(o.w), Math.round(o.h));
      } else if (o.op === 'line') {
        ctx.strokeStyle = o.stroke;
        ctx.lineWidth = o.width;
        ctx.setLineDash(o.dash ?? []);
        ctx.beginPath();
        ctx.moveTo(Math.round(o.x1) + 0.5, Math.round(o.y1) + 0.5);
        ctx.lineTo(Math.round(o.x2) + 0.5, Math.round(o.y2) + 0.5);
        ctx.stroke();
        ctx.setLineDash([]);
      } else if (o.op === 'path') {
        ctx.strokeStyle = o.stroke;
        ctx.lineWidth = o.width;
        ctx.lineJoin = 'round';
        ctx.setLineDash(o.dash ?? []);
        ctx.beginPath();
        o.points.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        if (o.points.length === 1) ctx.arc(o.points[0][0], o.points[0][1], 1.5, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.setLineDash([]);
      } else if (o.op === 'polygon') {
        ctx.fillStyle = o.fill;
        ctx.beginPath();
        o.points.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
        ctx.closePath();
        ctx.fill();
      } else if (o.op === 'marks') {
        ctx.strokeStyle = o.color;
        ctx.fillStyle = o.color;
        ctx.lineWidth = 1.5;
        for (const m of o.marks) {
          ctx.beginPath();
          if (o.shape === 'square') ctx.rect(m.x - o.size, m.y - o.size * 1.6, o.size * 2, o.size * 3.2);
          else ctx.arc(m.x, m.y, o.size, 0, 2 * Math.PI);
          if (m.hollow) ctx.stroke();
          else ctx.fill();
        }
      } else if (o.op === 'text') {
        ctx.save();
        ctx.font = o.font;
        ctx.fillStyle = o.fill;
        ctx.textAlign = o.align;
        ctx.textBaseline = o.baseline;
        ctx.translate(o.x, o.y);
        if (o.rotate) ctx.rotate((o.rotate * Math.PI) / 180);
        ctx.fillText(o.text, 0, 0);
        ctx.restore();
      }
    });
  }
}

/** Text for XML: every character that could end a text node or an attribute is escaped. */
export function xmlText(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

const n = (v) => (Number.isFinite(v) ? +v.toFixed(2) : 0);
const pts = (points) => points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
const ANCHOR = { left: 'start', center: 'middle', right: 'end' };

/** The scene as a standalone SVG document (numbers and escaped text only; nothing in it runs). */
export function sceneToSvg(scene) {
  const { frame, width, height } = scene;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="system-ui, sans-serif">`,
    `<defs><clipPath id="plot"><rect x="${n(frame.left)}" y="${n(frame.top)}" width="${n(frame.width)}" height="${n(frame.height)}"/></clipPath></defs>`,
  ];
  for (const o of scene.ops) {
    const clip = o.clip ? ' clip-path="url(#plot)"' : '';
    if (o.op === 'rect') out.push(`<rect x="${n(o.x)}" y="${n(o.y)}" width="${n(o.w)}" height="${n(o.h)}" fill="${xmlText(o.fill)}"${clip}/>`);
    else if (o.op === 'frame') out.push(`<rect x="${n(o.x)}" y="${n(o.y)}" width="${n(o.w)}" height="${n(o.h)}" fill="none" stroke="${xmlText(o.stroke)}"/>`);
    else if (o.op === 'line') out.push(`<line x1="${n(o.x1)}" y1="${n(o.y1)}" x2="${n(o.x2)}" y2="${n(o.y2)}" stroke="${xmlText(o.stroke)}" stroke-width="${o.width}"${o.dash ? ` stroke-dasharray="${o.dash.join(' ')}"` : ''}/>`);
    else if (o.op === 'path') out.push(`<polyline points="${pts(o.points)}" fill="none" stroke="${xmlText(o.stroke)}" stroke-width="${o.width}" stroke-linejoin="round"${o.dash ? ` stroke-dasharray="${o.dash.join(' ')}"` : ''}${clip}/>`);
    else if (o.op === 'polygon') out.push(`<polygon points="${pts(o.points)}" fill="${xmlText(o.fill)}"${clip}/>`);
    else if (o.op === 'marks') {
      out.push(`<g fill="${xmlText(o.color)}" stroke="${xmlText(o.color)}" stroke-width="1.5"${clip}>`);
      for (const m of o.marks) {
        const fill = m.hollow ? ' fill="none"' : '';
        if (o.shape === 'square') out.push(`<rect x="${n(m.x - o.size)}" y="${n(m.y - o.size * 1.6)}" width="${n(o.size * 2)}" height="${n(o.size * 3.2)}"${fill}/>`);
        else out.push(`<circle cx="${n(m.x)}" cy="${n(m.y)}" r="${o.size}"${fill}/>`);
      }
      out.push('</g>');
    } else if (o.op === 'text') {
      const weight = o.font.startsWith('600') ? ' font-weight="600"' : '';
      const rotate = o.rotate ? ` transform="rotate(${o.rotate} ${n(o.x)} ${n(o.y)})"` : '';
      out.push(`<text x="${n(o.x)}" y="${n(o.y)}" font-size="12" fill="${xmlText(o.fill)}" text-anchor="${ANCHOR[o.align] ?? 'start'}" dominant-baseline="middle"${weight}${rotate}>${xmlText(o.text)}</text>`);
    }
  }
  out.push('</svg>');
  return out.join('\n');
}
