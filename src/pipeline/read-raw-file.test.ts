import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { readRawFile } from './read-raw-file.js';

describe('readRawFile', () => {
  it('reads a file over 32 MiB whole, with the SHA-1 of all its bytes', async () => {
    const file = path.join(tempDir(), 'big.csv');
    const row = 'µs,µA,Ω,°C,' + 'x'.repeat(7) + '\n';
    const text = '#Procedure: <a.It>\n#Data:\nt,i,r,c,n\n' + row.repeat(Math.ceil((33 * 1024 * 1024) / Buffer.byteLength(row)));
    writeFileSync(file, text);
    const content = await readRawFile(file, Buffer.byteLength(text));
    assert.equal(content.bytes.length, Buffer.byteLength(text));
    assert.equal(content.sha1, createHash('sha1').update(text).digest('hex'));
  });
});
