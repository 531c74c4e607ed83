import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInFlightFile } from './in-flight.js';

describe('isInFlightFile', () => {
  it('treats a name starting with temp_ as still being written', () => {
    assert.equal(isInFlightFile('temp_It2025-09-04_11.csv'), true);
    assert.equal(isInFlightFile('raw/env0/temp_data.csv'), true);
  });

  it('looks only at the file name, not at its folders', () => {
    assert.equal(isInFlightFile('raw/temp_folder/data.csv'), false);
    assert.equal(isInFlightFile('It2025-09-04_11.csv'), false);
  });

  it('uses the prefixes it is given instead of the default, ignoring an empty prefix', () => {
    assert.equal(isInFlightFile('data.csv.part', ['.part']), false);
    assert.equal(isInFlightFile('~lock.csv', ['~', '.tmp']), true);
    assert.equal(isInFlightFile('temp_data.csv', ['~']), false);
    assert.equal(isInFlightFile('data.csv', ['']), false);
  });
});
