import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { errorCode } from './sample-types.js';

describe('the code of an error', () => {
  it('is the system code of a real failure, such as reading a file that is not there', async () => {
    const error = await readFile(path.join(tempDir(), 'missing.csv')).catch((e: unknown) => e);
    assert.equal(errorCode(error), 'ENOENT');
  });

  it('is empty, not a crash, for whatever else was thrown: null, undefined, a string, an error without a code', () => {
    for (const thrown of [null, undefined, 'text', 42, new Error('plain'), { code: 7 }]) assert.equal(errorCode(thrown), '');
  });
});
