import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { tempDir } from '../../test/support/temp-dir.js';
import { LISTING_NAME, safeEntryPath, sampleZip } from './sample-zip.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

const context: SampleContext = { ...DEFAULT_SAMPLE_LIMITS, rows: 5, maxZipEntryBytes: 1024 * 1024, duckdb: () => Promise.reject(new Error('unused')) };

/** Writes a zip; names may hold `..` or a leading `/` (yazl refuses those, so they are patched in after, same length). */
async function writeZip(file: string, entries: readonly (readonly [string, Buffer])[]): Promise<void> {
  const zip = new yazl.ZipFile();
  const placeholders = entries.map(([name], i) => `p${i}`.padEnd(name.length, 'x'));
  entries.forEach(([, data], i) => zip.addBuffer(data, placeholders[i] ?? ''));
  zip.end();
  let bytes = await buffer(zip.outputStream);
  entries.forEach(([name], i) => {
    bytes = Buffer.from(bytes.toString('latin1').replaceAll(placeholders[i] ?? '', name), 'latin1');
  });
  writeFileSync(file, bytes);
}

async function readZip(file: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const contents = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        void buffer(stream).then((b) => {
          contents.set(entry.fileName, b.toString());
          zip.readEntry();
        }, reject);
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return contents;
}

describe('the zip sampler', () => {
  it('writes a zip with the entry list and the first entry when it is small', async () => {
    const dir = tempDir();
    await writeZip(path.join(dir, 'in.zip'), [['data/run1.csv', Buffer.from('a,b\n1,2\n')], ['data/run2.csv', Buffer.from('c\n')]]);
    const written = await sampleZip(path.join(dir, 'in.zip'), path.join(dir, 'out.zip'), context);
    const contents = await readZip(path.join(dir, 'out.zip'));
    assert.deepEqual([...contents.keys()], [LISTING_NAME, 'data/run1.csv']);
    assert.equal(contents.get('data/run1.csv'), 'a,b\n1,2\n');
    assert.match(contents.get(LISTING_NAME) ?? '', /^8\t\S+\tfile\tdata\/run1.csv\n2\t\S+\tfile\tdata\/run2.csv\n# 2 entries; data\/run1.csv copied\n$/m);
    assert.equal(written.rows, 2);
  });

  it('lists a huge first entry without copying it', async () => {
    const dir = tempDir();
    await writeZip(path.join(dir, 'in.zip'), [['huge.csv', Buffer.alloc(5 * 1024 * 1024, 'a,b\n')], ['small.csv', Buffer.from('x\n')]]);
    await sampleZip(path.join(dir, 'in.zip'), path.join(dir, 'out.zip'), context);
    const contents = await readZip(path.join(dir, 'out.zip'));
    assert.deepEqual([...contents.keys()], [LISTING_NAME]);
    assert.match(contents.get(LISTING_NAME) ?? '', /^5242880\t.*huge.csv$/m);
    assert.match(contents.get(LISTING_NAME) ?? '', /no entry copied/);
  });

  it('never writes outside the samples folder for entries named ../../etc/passwd or /etc/shadow', async () => {
    const dir = tempDir();
    const samples = path.join(dir, 'deep', 'samples');
    await writeZip(path.join(dir, 'in.zip'), [['../../etc/passwd', Buffer.from('root:x:0:0\n')], ['/etc/shadow', Buffer.from('s\n')]]);
    const before = readdirSync(dir).sort();
    await sampleZip(path.join(dir, 'in.zip'), path.join(dir, 'out.zip'), context);
    const contents = await readZip(path.join(dir, 'out.zip'));
    assert.deepEqual([...contents.keys()], [LISTING_NAME, 'etc/passwd']);
    assert.match(contents.get(LISTING_NAME) ?? '', /\t\.\.\/\.\.\/etc\/passwd\n.*\t\/etc\/shadow\n/s);
    assert.deepEqual(readdirSync(dir).sort(), [...before, 'out.zip'].sort());
    assert.equal(existsSync(path.join(samples, '..', '..', 'etc')), false);
  });

  it('stops a zip bomb: a first entry that inflates past the size it declares is never held whole, and the sample fails with a sentence', async () => {
    const dir = tempDir();
    await writeZip(path.join(dir, 'in.zip'), [['bomb.csv', Buffer.alloc(48 * 1024 * 1024, 'a')]]);
    const bytes = readFileSync(path.join(dir, 'in.zip'));
    // The central directory then declares 1,000 bytes: small enough to be copied into the sample.
    const central = bytes.indexOf('PK\u0001\u0002');
    bytes.writeUInt32LE(1000, central + 24);
    writeFileSync(path.join(dir, 'in.zip'), bytes);
    const before = process.memoryUsage().rss;
    await assert.rejects(sampleZip(path.join(dir, 'in.zip'), path.join(dir, 'out.zip'), context), /^SampleProblem: has an entry "bomb\.csv" that inflates past the 1000 bytes the zip declares for it \(a forged or corrupt zip\)$/);
    assert.ok(process.memoryUsage().rss - before < 32 * 1024 * 1024, 'the entry was not inflated whole');
    assert.equal(existsSync(path.join(dir, 'out.zip')), false);
  });

  it('reports a corrupt zip as not readable', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(300, 7)]));
    await assert.rejects(sampleZip(path.join(dir, 'bad.zip'), path.join(dir, 'out.zip'), context), /is not a readable zip file/);
    assert.equal(existsSync(path.join(dir, 'out.zip')), false);
  });

  it('makes entry names safe to store', () => {
    assert.equal(safeEntryPath('../../etc/passwd'), 'etc/passwd');
    assert.equal(safeEntryPath('/abs/./x y.csv'), 'abs/x_y.csv');
    assert.equal(safeEntryPath('..\\..\\win.ini'), 'win.ini');
    assert.equal(safeEntryPath('../'), 'entry');
  });
});

