import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { firstInvalidByte, strictUtf8 } from './strict-utf8.js';

const through = (chunks: readonly Buffer[]) => text(Readable.from(chunks).pipe(strictUtf8()));

describe('strict UTF-8', () => {
  it('passes UTF-8 through unchanged, even when a character is split across chunks', async () => {
    const bytes = Buffer.from('id,name\n1,Félix\n2,Zoë 日本\n');
    const split = bytes.indexOf(0xc3) + 1; // between the two bytes of é
    assert.equal(await through([bytes.subarray(0, split), bytes.subarray(split)]), bytes.toString('utf8'));
  });

  it('stops at a Latin-1 byte, naming its line and byte offset in the file', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,Ana\n2,F'), Buffer.from([0xe9]), Buffer.from('lix\n')]);
    await assert.rejects(through([bytes.subarray(0, 5), bytes.subarray(5)]), /line 3, byte offset 17: byte 0xE9 is not UTF-8/);
  });

  it('finds the first bad byte of a sequence', () => {
    assert.equal(firstInvalidByte(Buffer.from('abc')), 3);
    assert.equal(firstInvalidByte(Buffer.from([0x61, 0xe9, 0x62])), 1);
    assert.equal(firstInvalidByte(Buffer.from([0x61, 0xe6, 0x97])), 1, 'a truncated sequence at the end');
  });
});
