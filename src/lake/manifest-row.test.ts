import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { validateManifestRows } from './manifest-row.js';

const base = () => manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 1 });
// The laser columns' ranges, as the shipped procedures YAML declares them (`min: 0`, `above: 0`).
const RANGED = TEST_PARAMETERS.map((p) =>
  p.name === 'laser_voltage_v' ? { ...p, min: 0 } : p.name === 'laser_wavelength_nm' ? { ...p, above: 0 } : p,
);
const check = (row: unknown) => validateManifestRows([row], RANGED);
const issuesOf = (row: unknown) => check(row).invalid[0]?.issues ?? [];

describe('the ManifestRow model', () => {
  it('accepts a complete row and turns zoned ISO text into a Date', () => {
    const { valid, invalid } = check(base());
    assert.equal(invalid.length, 0);
    assert.ok(valid[0]!.start_time_utc instanceof Date);
    assert.equal(valid[0]!.start_time_utc!.toISOString(), '2025-09-04T15:00:00.000Z');
  });

  it('rejects a field the manifest does not have, naming it', () => {
    const issues = issuesOf({ ...base(), colour: 'red' });
    assert.match(issues.map((i) => i.message).join(), /unknown field: colour/);
  });

  it('lower-cases an upper-case run id and refuses one that is not 16 hex digits', () => {
    const { valid } = check({ ...base(), run_id: 'ABCDEF0123456789' });
    assert.equal(valid[0]!.run_id, 'abcdef0123456789');
    assert.deepEqual(issuesOf({ ...base(), run_id: 'abc' }).map((i) => i.path), ['run_id']);
    assert.deepEqual(issuesOf({ ...base(), run_id: 'zzzzzzzzzzzzzzzz' }).map((i) => i.path), ['run_id']);
  });

  it('title-cases the chip group', () => {
    assert.equal(check({ ...base(), chip_group: 'alisson' }).valid[0]!.chip_group, 'Alisson');
    assert.equal(check({ ...base(), chip_group: 'rojas lab' }).valid[0]!.chip_group, 'Rojas Lab');
  });

  it('refuses a naive timestamp but accepts Z, offsets and Date objects', () => {
    assert.deepEqual(issuesOf({ ...base(), start_time_utc: '2025-09-04T12:00:00' }).map((i) => i.path), ['start_time_utc']);
    assert.match(issuesOf({ ...base(), ingested_at_utc: '2025-09-04 12:00' })[0]!.message, /zone/);
    const offset = check({ ...base(), start_time_utc: '2025-09-04T12:00:00-03:00' }).valid[0]!;
    assert.equal(offset.start_time_utc!.toISOString(), '2025-09-04T15:00:00.000Z');
    const date = check({ ...base(), start_time_utc: new Date('2025-09-04T15:00:00Z') }).valid[0]!;
    assert.equal(date.start_time_utc!.getTime(), Date.UTC(2025, 8, 4, 15));
  });

  it('enforces the ranges of laser voltage, wavelength, duration and chip number', () => {
    assert.deepEqual(issuesOf({ ...base(), laser_voltage_v: -0.1 }).map((i) => i.path), ['laser_voltage_v']);
    assert.deepEqual(issuesOf({ ...base(), laser_wavelength_nm: 0 }).map((i) => i.path), ['laser_wavelength_nm']);
    assert.deepEqual(issuesOf({ ...base(), duration_s: -1 }).map((i) => i.path), ['duration_s']);
    assert.deepEqual(issuesOf({ ...base(), chip_number: -2 }).map((i) => i.path), ['chip_number']);
    assert.equal(check({ ...base(), laser_voltage_v: 0, duration_s: 0, chip_number: 0 }).invalid.length, 0);
  });

  it('requires schema version 1 and an extraction version', () => {
    assert.deepEqual(issuesOf({ ...base(), schema_version: 2 }).map((i) => i.path), ['schema_version']);
    assert.deepEqual(issuesOf({ ...base(), extraction_version: '' }).map((i) => i.path), ['extraction_version']);
  });

  it('lets parameter columns be absent (null) but rejects a wrong type', () => {
    const row = base();
    delete row['information'];
    delete row['vg_v'];
    const { valid } = check(row);
    assert.equal(valid[0]!['vg_v'], null);
    assert.deepEqual(issuesOf({ ...base(), vg_v: 'minus three' }).map((i) => i.path), ['vg_v']);
  });

  it('accepts BIGINT values given as bigint and stores them as numbers', () => {
    const { valid } = check({ ...base(), rows: 100n, chip_number: 67n });
    assert.equal(valid[0]!.rows, 100);
    assert.equal(valid[0]!.chip_number, 67);
  });

  it('validates a batch at once: good rows pass, bad rows come back with all their issues, a repeated run id is refused', () => {
    const good = base();
    const bad = { ...base(), run_id: 'x', rows: -1, colour: 'red' };
    const { valid, invalid } = validateManifestRows([good, bad, good], TEST_PARAMETERS);
    assert.equal(valid.length, 1);
    assert.equal(invalid.length, 2);
    assert.deepEqual(invalid[0]!.issues.map((i) => i.path).sort(), ['(row)', 'rows', 'run_id']);
    assert.match(invalid[1]!.issues[0]!.message, /appears twice/);
  });
});
