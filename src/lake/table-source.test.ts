import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withQuietHeader } from './table-source.js';

describe("the CSV reader's view of a raw file", () => {
  const file = '#Parameters:\n#\tInformation: x("a","b")\n#Data:\nt (s),note\n0,"a, quoted"\n';

  it('turns header quotes into apostrophes, keeping every byte where it was and the data rows untouched', () => {
    const copy = withQuietHeader(Buffer.from(file), 4)!.toString();
    assert.equal(copy.length, file.length);
    assert.equal(copy, "#Parameters:\n#\tInformation: x('a','b')\n#Data:\nt (s),note\n0,\"a, quoted\"\n");
  });

  it('makes no copy when the header has no double quote', () => {
    assert.equal(withQuietHeader(Buffer.from('#Data:\nt (s)\n0,"x"\n'), 2), null);
  });
});
