import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdentifier, sqlIdentifier, sqlLiteral } from './quote.js';

describe('SQL quoting', () => {
  it('doubles the quote inside literals and identifiers', () => {
    assert.equal(sqlLiteral("it's"), "'it''s'");
    assert.equal(sqlIdentifier('my "col"'), '"my ""col"""');
  });

  it('lets only lower-case names of at most 63 characters through quoteIdentifier', () => {
    assert.equal(quoteIdentifier('citizens_2024'), '"citizens_2024"');
    assert.equal(quoteIdentifier('a'.repeat(63)), `"${'a'.repeat(63)}"`);
    for (const bad of ['Citizens', 'a; DROP', '1abc', 'a'.repeat(64), '']) assert.throws(() => quoteIdentifier(bad), /is not allowed as a table or column name/);
  });
});
