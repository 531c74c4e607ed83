// What the page's axes and readouts write: engineering prefixes, tick labels that never repeat, calendar ticks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatQuantity, logTickLabels, tickLabels } from '../../src/serve/page/format.js';
import { linearTicks, logTicks, timeTicks } from '../../src/serve/page/ticks.js';

describe("the page's numbers", () => {
  it('reads a current in its engineering unit, never as 0', () => {
    assert.equal(formatQuantity(1.363217e-5, 'A'), '13.63 µA');
    assert.equal(formatQuantity(4.2e-9, 'A'), '4.2 nA');
    assert.equal(formatQuantity(-0.05, 'V'), '−50 mV');
    assert.equal(formatQuantity(2500, 'ohm'), '2.5 kΩ');
    assert.equal(formatQuantity(25.31, 'degC'), '25.31 °C');
    assert.equal(formatQuantity(null, 'A'), '—');
  });

  it('labels the ticks of a narrow current range with one prefix, each label different (1.52e-5 three times before)', () => {
    for (const [lo, hi] of [[1.519e-5, 1.524e-5], [1.5e-5, 1.53e-5], [-2e-9, 3e-9], [0.1, 0.1004], [87.5, 89.3]] as const) {
      const { ticks, step } = linearTicks(lo, hi, 6);
      const { labels, unit } = tickLabels(ticks, step, 'A');
      assert.ok(ticks.length >= 3, `${lo}..${hi}: ${ticks.length} ticks`);
      assert.equal(new Set(labels).size, labels.length, `${lo}..${hi}: ${labels.join(' ')}`);
      assert.ok(ticks.every((t) => t >= lo - 1e-12 && t <= hi + 1e-12));
      if (hi < 1e-4) assert.match(unit, /^[nµ]A$/);
    }
    assert.deepEqual(tickLabels([1.52e-5, 1.5225e-5, 1.525e-5], 2.5e-8, 'A'), { labels: ['15.200', '15.225', '15.250'], unit: 'µA' });
  });

  it('puts decades on a log axis, with 2 and 5 between them over a narrow range, each with its prefix', () => {
    assert.deepEqual(logTicks(1e-9, 1e-5).ticks.map((t) => +t.toPrecision(3)), [1e-9, 1e-8, 1e-7, 1e-6, 1e-5]);
    assert.deepEqual(logTicks(1.5e-7, 1.2e-6).ticks.map((t) => +t.toPrecision(3)), [2e-7, 5e-7, 1e-6]);
    assert.deepEqual(logTickLabels([1e-8, 1e-7, 1e-6], 'A').labels, ['10 nA', '100 nA', '1 µA']);
    assert.deepEqual(logTicks(6e-6, 2.5e-5).ticks.map((t) => +t.toPrecision(3)), [6e-6, 7e-6, 8e-6, 9e-6, 1e-5, 2e-5], 'under a decade, every digit');
  });

  it('puts date ticks on calendar days, never finer than asked, with labels that never repeat', () => {
    const day = 86_400_000;
    const start = Date.UTC(2025, 8, 1);
    const days = timeTicks(start, start + 30 * day, 6);
    assert.ok(days.ticks.every((t) => t % day === 0));
    assert.equal(new Set(days.labels).size, days.labels.length);
    assert.match(days.labels[0]!, /^2025-09-\d\d$/);
    const hours = timeTicks(start, start + 2 * day, 8);
    assert.equal(new Set(hours.labels).size, hours.labels.length);
    assert.deepEqual(timeTicks(start, start + 2 * day, 8, day).labels, ['2025-09-01', '2025-09-02', '2025-09-03']);
  });
});
