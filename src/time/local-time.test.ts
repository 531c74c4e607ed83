import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { localDate } from './local-time.js';
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
