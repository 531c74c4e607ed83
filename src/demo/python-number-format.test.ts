import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDecimals, formatSignificant, pythonFloat, pythonG, roundSignificant } from './python-number-format.js';
import { seededRandom } from './seeded-random.js';

test('data values print as Python repr() does: 0.0, 1.0, 7.705339e-05, 1e+16, nan', () => {
  const cases: [number, string][] = [[0, '0.0'], [1, '1.0'], [-0.15000000000000002, '-0.15000000000000002'], [7.705339e-5, '7.705339e-05'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1e16, '1e+16'], [1760371684.3180444, '1760371684.3180444'], [NaN, 'nan']];
  for (const [x, text] of cases) assert.equal(pythonFloat(x), text);
});

test("header values print as Python '%g' does: 0.0001, 1e-05, 120, -3.87, 1.23457e+06", () => {
  const cases: [number, string][] = [[0.0001, '0.0001'], [1e-5, '1e-05'], [120, '120'], [-3.87, '-3.87'], [1234567, '1.23457e+06'], [1e6, '1e+06'], [0.1 + 0.2, '0.3'], [0, '0']];
  for (const [x, text] of cases) assert.equal(pythonG(x), text);
});

test('the fast instrument-reading formatters print exactly what repr() of the rounded value prints', () => {
  const random = seededRandom(5);
  for (let i = 0; i < 20_000; i++) {
    const x = (random.chance(0.5) ? -1 : 1) * random.next() * 10 ** random.int(-14, 14);
    const digits = random.int(1, 12);
    assert.equal(formatSignificant(x, digits), pythonFloat(roundSignificant(x, digits)), `${x} to ${digits} digits`);
  }
  assert.equal(formatDecimals(25, 2), '25.0');
  assert.equal(formatDecimals(25.034, 2), '25.03');
  assert.equal(formatDecimals(-0.004, 2), '-0.0');
});
