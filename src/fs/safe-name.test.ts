import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSafeName } from './safe-name.js';

test('a name read from a file may be a folder name only when it cannot leave its folder or break a glob', () => {
  for (const good of ['Alisson', 'It', 'IVg', 'LaserCalibration', 'Señal2', '89c0a1d2e3f40516', 'citizens_2024-01', 'a.b+c-d', 'De La Cruz', 'run 2.csv']) {
    assert.deepEqual(checkSafeName(good, 'a chip group name'), { ok: true }, good);
  }
  for (const bad of ['', '.', '..', '../../tmp/x', 'a/b', 'a\\b', '.hidden', 'x[1]', 'a*', 'a?', '{a,b}', 'a  b', 'a ', ' a', 'a\tb', 'a"b', 'a\u0000b', '<a>', 'x'.repeat(101)]) {
    const check = checkSafeName(bad, 'a procedure name');
    assert.equal(check.ok, false, bad);
    if (!check.ok) assert.match(check.reason, /^a procedure name must be letters, digits/);
  }
});
