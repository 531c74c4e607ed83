import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTimeZone } from './time-zone.js';

describe('isValidTimeZone', () => {
  it('knows canonical IANA names and their aliases, and nothing else', () => {
    for (const zone of ['America/Santiago', 'Europe/Paris', 'UTC', 'US/Eastern', 'America/Buenos_Aires', 'Etc/GMT+3']) assert.ok(isValidTimeZone(zone), zone);
    for (const zone of ['', ' ', 'Nope/Zone', 'Santiago', 'GMT+25']) assert.ok(!isValidTimeZone(zone), zone);
  });
});
