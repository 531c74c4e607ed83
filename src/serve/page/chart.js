// strata serve: a run's curves with uPlot; laser ON periods shaded; zooming in asks the server for the exact points.
'use strict';
window.strataChart = (function () {
  const COLORS = ['#1d3557', '#e63946', '#2a9d8f', '#f4a261', '#6a4c93', '#8ab17d', '#264653', '#e76f51'];

  // Currents are nA to mA: small values in exponent form, so the axis never reads 0, 0, 0.
  const tickText = (u, values) =>
    values.map((v) => (v == null ? '' : v !== 0 && Math.abs(v) < 1e-2 ? v.toExponential(2) : String(+v.toPrecision(4))));

  function shadeLight(periods) {
    return (u) => {
      const ctx = u.ctx;
      ctx.save();
      for (const p of periods) {
        if (!p.on) continue;
        const a = u.valToPos(p.from, 'x', true);
        const b = u.valToPos(p.to, 'x', true);
        ctx.fillStyle = 'rgba(244, 162, 97, 0.18)';
        ctx.fillRect(a, u.bbox.top, b - a, u.bbox.height);
      }
      ctx.restore();
    };
  }

  /** runs: [{ label, series }] where series is the API's answer; fetchRange(from, to) -> Promise of the same list. */
  function draw(el, runs, fetchRange) {
    el.innerHTML = '';
    const first = runs[0].series;
    const tables = runs.map((r) => r.series.data);
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const series = [{ label: first.x }];
    runs.forEach((r, i) =>
      r.series.y.forEach((y, j) =>
        series.push({ label: runs.length > 1 ? `${y} · ${r.label}` : y, stroke: COLORS[(i * r.series.y.length + j) % COLORS.length], width: 1.2, spanGaps: true, points: { show: false } }),
      ),
    );
    const timed = first.light.length > 0;
    let busy = 0;
    const opts = {
      width: Math.max(400, el.clientWidth - 4),
      height: 420,
      series,
      scales: { x: { time: false } },
      axes: [{ label: first.x, values: tickText }, { label: first.y.join(', '), size: 80, values: tickText }],
      hooks: {
        drawClear: timed ? [shadeLight(first.light)] : [],
        setSelect: [
          (u) => {
            if (u.select.width < 2 || !fetchRange) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            const ticket = ++busy;
            fetchRange(from, to).then((zoomed) => {
              if (ticket !== busy) return;
              const t = zoomed.map((r) => r.series.data);
              u.setData(t.length === 1 ? t[0] : uPlot.join(t), false);
              u.setScale('x', { min: from, max: to });
              el.dataset.points = String(zoomed[0].series.data[0].length);
              el.dataset.exact = String(zoomed.every((r) => r.series.exact));
            });
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, el);
    el.dataset.points = String(first.data[0].length);
    el.dataset.exact = String(runs.every((r) => r.series.exact));
    el.dataset.drawn = 'yes';
    return plot;
  }

  return { draw, COLORS };
})();
