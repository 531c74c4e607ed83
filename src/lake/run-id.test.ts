import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { runId } from './run-id.js';

describe('runId', () => {
  it('is the first 16 hex digits of SHA-1 of the lower-cased path and the start time to the second', () => {
    const expected = createHash('sha1').update('alisson_04_sept/it2025-09-04_11.csv|2025-09-04T20:55:55Z').digest('hex').slice(0, 16);
    assert.equal(runId('Alisson_04_sept/It2025-09-04_11.csv', new Date('2025-09-04T20:55:55.733Z')), expected);
    assert.match(expected, /^[0-9a-f]{16}$/);
  });

  it('uses forward slashes whatever the platform wrote', () => {
    assert.equal(runId('a\\B.csv', null), runId('a/b.csv', null));
  });
});
