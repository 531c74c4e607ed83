import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { castHeaderValue, parseInstant } from './header-value.js';

const TZ = 'America/Santiago';

describe('castHeaderValue', () => {
  it('strips units after numbers', () => {
    assert.deepEqual(castHeaderValue('0.001 A', 'float', TZ), { ok: true, value: 0.001 });
    assert.deepEqual(castHeaderValue('120 s', 'float', TZ), { ok: true, value: 120 });
    assert.deepEqual(castHeaderValue('100ms', 'float', TZ), { ok: true, value: 100 });
    assert.deepEqual(castHeaderValue('-0.35 V', 'float', TZ), { ok: true, value: -0.35 });
    assert.deepEqual(castHeaderValue('455', 'int', TZ), { ok: true, value: 455 });
    assert.deepEqual(castHeaderValue('1e-3 A', 'float', TZ), { ok: true, value: 0.001 });
  });

  it("reads nan, empty text and Python's None as null, and booleans in several spellings", () => {
    assert.deepEqual(castHeaderValue('nan', 'float', TZ), { ok: true, value: null });
    assert.deepEqual(castHeaderValue('None', 'str', TZ), { ok: true, value: null });
    assert.deepEqual(castHeaderValue('yes', 'bool', TZ), { ok: true, value: true });
    assert.deepEqual(castHeaderValue('0', 'bool', TZ), { ok: true, value: false });
  });

  it('says what was expected when a value does not cast', () => {
    const result = castHeaderValue('F1 (M92L02)', 'float', TZ);
    assert.equal(result.ok, false);
    assert.equal(castHeaderValue('2.5', 'int', TZ).ok, false);
    assert.equal(castHeaderValue('maybe', 'bool', TZ).ok, false);
  });
});

describe('parseInstant', () => {
  it('reads Unix seconds with a fraction', () => {
    assert.equal(parseInstant('1757019355.7333555', TZ)?.toISOString(), '2025-09-04T20:55:55.733Z');
  });

  it('reads ISO with an offset as given, and a naive ISO time as local time in the zone (DST-correct)', () => {
    assert.equal(parseInstant('2025-10-13T10:00:00Z', TZ)?.toISOString(), '2025-10-13T10:00:00.000Z');
    // Santiago is UTC-3 in October (summer time) and UTC-4 in July.
    assert.equal(parseInstant('2025-10-13T10:00:00', TZ)?.toISOString(), '2025-10-13T13:00:00.000Z');
    assert.equal(parseInstant('2025-07-13T10:00:00', TZ)?.toISOString(), '2025-07-13T14:00:00.000Z');
  });

  it('returns null for text that is no time', () => {
    assert.equal(parseInstant('yesterday', TZ), null);
  });
});
