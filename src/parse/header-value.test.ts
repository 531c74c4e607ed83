import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { castHeaderValue, parseInstant, readInstant } from './header-value.js';

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

  it('refuses a number no double holds (1e400, 1e-400) instead of storing inf or 0', () => {
    for (const text of ['1e400 V', '1e-400', '-1e400']) {
      assert.deepEqual(castHeaderValue(text, 'float', TZ), { ok: false, expected: 'a number a 64-bit float can hold (it is too large or too close to zero)' }, text);
    }
    assert.deepEqual(castHeaderValue('0e-400', 'float', TZ), { ok: true, value: 0 });
  });

  it('says how a datetime parameter in a DST gap was read', () => {
    const cast = castHeaderValue('2025-09-07T00:30:00', 'datetime', TZ);
    assert.ok(cast.ok);
    assert.equal((cast.value as Date).toISOString(), '2025-09-07T04:30:00.000Z');
    assert.match(cast.note ?? '', /skipped when its clocks moved forward; read as the time after the change, 2025-09-07T01:30:00-03:00/);
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

describe('readInstant', () => {
  it('reads a number too large for Unix seconds as epoch milliseconds (or micro-, nanoseconds), and says so', () => {
    const ms = readInstant('1757019355733', TZ);
    assert.ok(ms.ok);
    assert.equal(ms.instant.toISOString(), '2025-09-04T20:55:55.733Z');
    assert.equal(ms.note, 'is too large for Unix seconds (the year 57648); read as epoch milliseconds, 2025-09-04T20:55:55.733Z');
    for (const text of ['1757019355733000', '1757019355733000000']) {
      const finer = readInstant(text, TZ);
      assert.ok(finer.ok && finer.instant.toISOString() === '2025-09-04T20:55:55.733Z', text);
      assert.match(finer.note ?? '', /read as epoch (micro|nano)seconds/);
    }
    const seconds = readInstant('1757019355.7333555', TZ);
    assert.ok(seconds.ok && seconds.note === undefined);
    assert.deepEqual(readInstant('1'.repeat(25), TZ), { ok: false, found: 'a number too large for epoch seconds, milliseconds, microseconds or nanoseconds' });
  });

  it('reads a space for the T, as Python prints a datetime', () => {
    const reading = readInstant('2025-10-22 12:00:00', TZ);
    assert.ok(reading.ok && reading.note === undefined);
    assert.equal(reading.instant.toISOString(), '2025-10-22T15:00:00.000Z');
    const offset = readInstant('2025-10-22 12:00:00.250+02:00', TZ);
    assert.ok(offset.ok);
    assert.equal(offset.instant.toISOString(), '2025-10-22T10:00:00.250Z');
  });

  it('reads a wall-clock time in a DST gap as the time after the change, and one in an overlap as the first, saying so', () => {
    // Santiago: clocks went from 00:00 to 01:00 on 2025-09-07, and from 24:00 back to 23:00 on 2025-04-05.
    const gap = readInstant('2025-09-07T00:30:00', TZ);
    assert.ok(gap.ok);
    assert.equal(gap.instant.toISOString(), '2025-09-07T04:30:00.000Z');
    assert.equal(gap.note, 'is a wall-clock time that America/Santiago skipped when its clocks moved forward; read as the time after the change, 2025-09-07T01:30:00-03:00');
    const overlap = readInstant('2025-04-05T23:30:00', TZ);
    assert.ok(overlap.ok);
    assert.equal(overlap.instant.toISOString(), '2025-04-06T02:30:00.000Z');
    assert.equal(overlap.note, 'is a wall-clock time that America/Santiago showed twice when its clocks moved back; read as the first, 2025-04-05T23:30:00-03:00, not 2025-04-05T23:30:00-04:00');
    // An offset names the instant: nothing to choose.
    const named = readInstant('2025-04-05T23:30:00-04:00', TZ);
    assert.ok(named.ok && named.note === undefined && named.instant.toISOString() === '2025-04-06T03:30:00.000Z');
  });
});
