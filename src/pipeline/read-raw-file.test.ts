import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { ReadBuffer, readRawFile } from './read-raw-file.js';

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

describe('ReadBuffer', () => {
  it('reads file after file into the same memory, and a file larger than it keeps into memory of its own', async () => {
    const dir = tempDir();
    const into = new ReadBuffer(1 << 16);
    const read = async (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      const content = await readRawFile(path.join(dir, name), Buffer.byteLength(text), into);
      assert.equal(content.bytes.toString('latin1'), text);
      return content.bytes.buffer;
    };
    const first = await read('a.csv', 't\n'.repeat(3000));
    assert.ok((await read('b.csv', 'x,y\n1,2\n'.repeat(100))) === first, 'a smaller file is read into the same memory');
    assert.ok((await read('c.csv', 'z'.repeat(1 << 17))) !== first, 'a file larger than the buffer keeps gets memory of its own');
    assert.ok((await read('d.csv', 'x,y\n'.repeat(1000))) === first, 'and the next small file the same memory again');
  });
});
