import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chipIdentity, dateInPath, fileIndex, partitionDate } from './run-identity.js';

const PROCS = new Set(['It', 'IVg', 'IV', 'LaserCalibration']);

describe('run identity', () => {
  it('takes the chip from the header parameters, title-casing the group', () => {
    const params = new Map([['Chip group name', 'alisson'], ['Chip number', '67']]);
    assert.deepEqual(chipIdentity(params, 'Bruno12_It_1.csv', PROCS), { chipGroup: 'Alisson', chipNumber: 67, chipName: 'Alisson67' });
  });

  it('falls back to the file name, but a procedure-and-date name names no chip', () => {
    assert.deepEqual(chipIdentity(new Map(), 'Bruno12_It_1.csv', PROCS), { chipGroup: 'Bruno', chipNumber: 12, chipName: 'Bruno12' });
    assert.deepEqual(chipIdentity(new Map(), 'It2025-09-04_11.csv', PROCS), { chipGroup: null, chipNumber: null, chipName: null });
  });

  it('reads the file index from the trailing number', () => {
    assert.equal(fileIndex('Alisson_04_sept/It2025-09-04_11.csv'), 11);
    assert.equal(fileIndex('calibration.csv'), null);
  });

  it('dates a run from its start time in the local zone, then from the path, then from mtime', () => {
    // 2025-10-23 01:40 UTC is still 2025-10-22 in Santiago (UTC-3).
    assert.deepEqual(partitionDate(new Date('2025-10-23T01:40:05Z'), 'x.csv', 0, 'America/Santiago'), { dateLocal: '2025-10-22', dateOrigin: 'meta' });
    assert.deepEqual(partitionDate(null, '20251013/It_1.csv', 0, 'America/Santiago'), { dateLocal: '2025-10-13', dateOrigin: 'path' });
    assert.deepEqual(partitionDate(null, 'Alisson_04_sept/x.csv', Date.parse('2025-09-05T12:00:00Z'), 'America/Santiago'), {
      dateLocal: '2025-09-05',
      dateOrigin: 'mtime',
    });
  });

  it('finds only real calendar dates in paths', () => {
    assert.equal(dateInPath('2025-10-13/It2025-10-13_1.csv'), '2025-10-13');
    assert.equal(dateInPath('run_20251399/x.csv'), null);
  });
});
