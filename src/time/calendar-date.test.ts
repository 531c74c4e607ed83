import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCalendarDate } from './calendar-date.js';

test('a YYYY-MM-DD is a calendar date only when that day exists', () => {
  assert.equal(isCalendarDate('2024-02-29'), true);
  assert.equal(isCalendarDate('2001-02-30'), false);
  assert.equal(isCalendarDate('2023-02-29'), false);
  assert.equal(isCalendarDate('2024-13-01'), false);
  assert.equal(isCalendarDate('2024-1-01'), false);
  assert.equal(isCalendarDate('20240101'), false);
});
