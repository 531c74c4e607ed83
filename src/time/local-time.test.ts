import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { localDate, readIsoInstant } from './local-time.js';
import { seededRandom } from '../demo/seeded-random.js';

describe('localDate', () => {
  it('gives the date luxon gives, across DST changes at midnight, quarter-hour offsets and local mean time', () => {
    const zones = ['America/Santiago', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Europe/Paris', 'UTC', 'America/St_Johns', 'Pacific/Chatham'];
    const random = seededRandom(7, 7);
    const instants: number[] = [];
    // Every minute of the nights Santiago's clocks went back and forward at midnight (2025-04-06, 2025-09-07).
    for (const day of [Date.UTC(2025, 3, 6, 0), Date.UTC(2025, 8, 7, 0)]) for (let m = 0; m < 8 * 60; m++) instants.push(day + m * 60_000 + 17_000);
    // Random instants from 1850 (local mean time: offsets in seconds) to 2040.
    for (let i = 0; i < 5_000; i++) instants.push(random.int(Date.UTC(1850, 0, 1), Date.UTC(2040, 0, 1)));
    for (const zone of zones) {
      for (const ms of instants) {
        const expected = DateTime.fromMillis(ms, { zone }).toISODate();
        assert.equal(localDate(new Date(ms), zone), expected, `${new Date(ms).toISOString()} in ${zone}`);
        assert.equal(localDate(new Date(ms), zone), expected, `${new Date(ms).toISOString()} in ${zone}, remembered`);
      }
    }
  });
});

describe('readIsoInstant', () => {
  it('reads a wall-clock time as luxon does when it happens once, the time after the change in a gap, and the first of two in an overlap', () => {
    const zones = ['America/Santiago', 'Europe/Paris', 'Australia/Lord_Howe', 'America/St_Johns', 'UTC'];
    const random = seededRandom(11, 3);
    const walls: string[] = [];
    // Every ten minutes of the days these zones changed their clocks in 2025, then random minutes from 1990 to 2040.
    for (const day of ['2025-04-05', '2025-04-06', '2025-09-06', '2025-09-07', '2025-03-30', '2025-10-05', '2025-10-26', '2025-03-09', '2025-11-02']) {
      for (let m = 0; m < 24 * 60; m += 10) walls.push(`${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00`);
    }
    for (let i = 0; i < 2_000; i++) walls.push(new Date(random.int(Date.UTC(1990, 0, 1), Date.UTC(2040, 0, 1))).toISOString().slice(0, 19));
    const kinds = new Set<string>();
    for (const zone of zones) {
      for (const wall of walls) {
        const reading = readIsoInstant(wall, zone);
        assert.ok(reading, wall);
        kinds.add(reading.kind);
        const ms = reading.instant.getTime();
        const shown = DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
        if (reading.kind === 'gap') {
          assert.notEqual(shown, wall, `${wall} in ${zone} is said to be skipped`);
          assert.equal(ms, DateTime.fromISO(wall, { zone }).toMillis(), `${wall} in ${zone}: the time after the change`);
        } else {
          assert.equal(shown, wall, `${wall} in ${zone} reads back`);
        }
        if (reading.kind === 'overlap') {
          assert.ok(reading.later.getTime() > ms);
          assert.equal(DateTime.fromMillis(reading.later.getTime(), { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss"), wall);
        }
        if (reading.kind === 'exact') assert.equal(ms, DateTime.fromISO(wall, { zone }).toMillis(), `${wall} in ${zone}`);
      }
    }
    assert.deepEqual([...kinds].sort(), ['exact', 'gap', 'overlap']);
  });

  it('takes a space for the T, and an offset or Z as naming the instant', () => {
    assert.equal(readIsoInstant('2025-10-22 12:00:00', 'America/Santiago')?.instant.toISOString(), '2025-10-22T15:00:00.000Z');
    assert.deepEqual(readIsoInstant('2025-04-05 23:30:00Z', 'America/Santiago'), { kind: 'exact', instant: new Date('2025-04-05T23:30:00Z') });
    assert.equal(readIsoInstant('2025-10-22  12:00', 'UTC'), null);
    assert.equal(readIsoInstant('22/10/2025 12:00', 'UTC'), null);
  });
});
