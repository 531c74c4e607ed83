import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawFile } from './discover-raw-files.js';
import { walkSchedule } from './walk-schedule.js';

const file = (relPath: string, mtimeMs: number): RawFile => ({ absPath: `/raw/${relPath}`, relPath, size: 1, mtimeMs });

describe('walkSchedule', () => {
  it('walks the whole root first and every interval; in between only changed folders and those with a file due to settle', () => {
    const schedule = walkSchedule(60_000);
    assert.deepEqual(schedule.due(0, undefined), ['']);
    schedule.walked(0, [''], [file('2025-10-13/It_1.csv', 0), file('2025-10-13/It_2.csv', 500), file('2025-10-14/It_1.csv', 3_000)], 1);
    assert.equal(schedule.due(100, undefined), undefined, 'nothing changed, nothing settled');
    assert.equal(schedule.untilDue(100), 900, 'the first file settles at 1,000 ms');
    assert.equal(schedule.waiting(), 3);
    assert.deepEqual(schedule.due(200, ['2025-10-15']), ['2025-10-15']);
    schedule.walked(200, ['2025-10-15'], [], 1);
    assert.deepEqual(schedule.due(1_000, undefined), ['2025-10-13']);
    schedule.walked(1_000, ['2025-10-13'], [], 1);
    assert.equal(schedule.due(1_500, undefined), undefined, 'its folder was walked: nothing settles there any more');
    assert.equal(schedule.waiting(), 1, 'the file still settling in 2025-10-14');
    assert.equal(schedule.untilDue(1_500), 2_500);
    assert.deepEqual(schedule.due(4_000, ['2025-10-13']), ['2025-10-13', '2025-10-14']);
    schedule.walked(4_000, ['2025-10-13', '2025-10-14'], [], 1);
    assert.equal(schedule.untilDue(4_000), 56_000, 'the next whole walk');
    assert.deepEqual(schedule.due(5_000, ['2025-10-13', '']), [''], 'a change in the root itself walks it all');
    assert.deepEqual(schedule.due(60_000, undefined), ['']);
  });
});
