import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { readRawFile } from './read-raw-file.js';

describe('readRawFile', () => {
  it('reads the head of a file over 32 MiB on whole lines, so a multi-byte character is never cut', async () => {
    const file = path.join(tempDir(), 'big.csv');
    const row = 'µs,µA,Ω,°C,' + 'x'.repeat(7) + '\n'; // 25 bytes, 4 multi-byte characters
    const text = '#Procedure: <a.It>\n#Data:\nt,i,r,c,n\n' + row.repeat(Math.ceil((33 * 1024 * 1024) / Buffer.byteLength(row)));
    writeFileSync(file, text);
    const size = Buffer.byteLength(text);
    const content = await readRawFile(file, size);
    assert.ok(content.bytes.length <= 1024 * 1024 && content.bytes.length > 1000_000);
    assert.equal(content.bytes.at(-1), 0x0a);
    assert.ok(isUtf8(content.bytes));
    assert.equal(content.sha1, createHash('sha1').update(readFileSync(file)).digest('hex'));
    assert.match(content.tail.toString('utf8'), /x{7}\n$/);
  });
});
