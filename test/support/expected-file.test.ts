import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkExpectedFile, expectedFileMode } from './expected-file.js';
import { tempDir } from './temp-dir.js';

const VARIABLE = 'STRATA_UPDATE_GOLDEN';

describe('golden expected files', () => {
  it('a missing expected file fails and is not written, in CI or not, unless an update is asked for', () => {
    for (const ci of [false, true]) {
      const file = path.join(tempDir(), 'expected', 'manifest.json');
      assert.deepEqual(checkExpectedFile(file, '[]\n', { update: false, ci }), { kind: 'missing' });
      assert.equal(existsSync(file), false);
    }
  });

  it('an update writes a missing or different expected file; a matching one is left as it is', () => {
    const file = path.join(tempDir(), 'expected', 'events.json');
    assert.deepEqual(checkExpectedFile(file, '[1]\n', { update: true, ci: false }), { kind: 'written' });
    assert.equal(readFileSync(file, 'utf8'), '[1]\n');
    assert.deepEqual(checkExpectedFile(file, '[1]\n', { update: true, ci: false }), { kind: 'same' });
    assert.deepEqual(checkExpectedFile(file, '[2]\n', { update: true, ci: false }), { kind: 'written' });
    assert.equal(readFileSync(file, 'utf8'), '[2]\n');
  });

  it('a different expected file fails with its text and is not rewritten without an update', () => {
    const file = path.join(tempDir(), 'schemas.json');
    writeFileSync(file, '{"a":1}\n');
    assert.deepEqual(checkExpectedFile(file, '{"a":2}\n', { update: false, ci: false }), { kind: 'differs', expected: '{"a":1}\n' });
    assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n');
  });

  it('CI=true never writes: the update flag is refused there, and nothing is written even if a mode asks', () => {
    assert.throws(() => expectedFileMode({ CI: 'true', [VARIABLE]: '1' }, VARIABLE), /STRATA_UPDATE_GOLDEN=1 under CI=true/);
    assert.deepEqual(expectedFileMode({ CI: 'true' }, VARIABLE), { update: false, ci: true });
    assert.deepEqual(expectedFileMode({ [VARIABLE]: '1' }, VARIABLE), { update: true, ci: false });
    assert.deepEqual(expectedFileMode({}, VARIABLE), { update: false, ci: false });
    const file = path.join(tempDir(), 'rejects.json');
    assert.deepEqual(checkExpectedFile(file, '[]\n', { update: true, ci: true }), { kind: 'missing' });
    assert.equal(existsSync(file), false);
  });
});
