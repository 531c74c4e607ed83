import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
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

  it('reads what the file holds now when it grew or shrank since it was discovered', async () => {
    const file = path.join(tempDir(), 'changing.csv');
    const text = '#Procedure: <a.It>\n#Data:\nt,i\n' + '1,2\n'.repeat(5000);
    writeFileSync(file, text);
    for (const seen of [0, 10, text.length - 1, text.length, text.length + 1, text.length * 3]) {
      const content = await readRawFile(file, seen);
      assert.equal(content.bytes.toString('latin1'), text, `discovered at ${seen} bytes`);
      assert.equal(content.sha1, createHash('sha1').update(text).digest('hex'));
    }
  });

  it('refuses to read through a symbolic link put where a discovered file was', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the lake');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'run.csv'));
    await assert.rejects(readRawFile(path.join(dir, 'run.csv'), 16), { code: 'ELOOP' });
  });
});
