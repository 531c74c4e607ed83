import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDataRows } from './data-rows.js';
import { TAB } from './table-delimiter.js';

describe('firstDataRows', () => {
  it('splits the rows after the column line at commas, quotes and all', () => {
    const bytes = Buffer.from('#Data:\nt,note\n0, "a, b"\n1,c\n2,d\n');
    assert.deepEqual(firstDataRows(bytes, 2, 2), [['0', 'a, b'], ['1', 'c']]);
  });

  it('splits the rows of a tab-separated table at its tabs, trimming spaces, keeping commas', () => {
    const bytes = Buffer.from('#Data:\nt\tnote\n0\t a, b \n1\t\n');
    assert.deepEqual(firstDataRows(bytes, 2, 5, TAB), [['0', 'a, b'], ['1', '']]);
  });
});
