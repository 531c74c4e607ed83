import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import tar from 'tar-stream';
import { tempDir } from '../../test/support/temp-dir.js';
import { sampleTar } from './sample-tar.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

const context = (maxListedEntries = 100_000): SampleContext => ({ ...DEFAULT_SAMPLE_LIMITS, rows: 5, maxListedEntries, duckdb: () => Promise.reject(new Error('unused')) });

async function writeTar(file: string, entries: readonly { name: string; body: string; mtime?: Date }[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => pack.entry({ name: e.name, mtime: e.mtime ?? new Date('2026-01-18T14:30:00Z') }, e.body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
}

async function listingOf(entries: readonly { name: string; body: string }[], maxListed?: number) {
  const dir = tempDir();
  await writeTar(path.join(dir, 'in.tar'), entries);
  const written = await sampleTar(path.join(dir, 'in.tar'), path.join(dir, 'out.txt'), context(maxListed));
  return { written, lines: readFileSync(path.join(dir, 'out.txt'), 'utf8').trimEnd().split('\n'), dir };
}

describe('the tar sampler', () => {
  it('lists every entry of a tar of thousands of entries with size, time, type and name', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({ name: `run/${i}.csv`, body: 'x'.repeat(i % 700) }));
    const { written, lines } = await listingOf(entries);
    assert.equal(written.rows, 3000);
    assert.equal(lines[0], 'size\tmodified_utc\ttype\tname');
    assert.equal(lines[1], '0\t2026-01-18T14:30:00Z\tfile\trun/0.csv');
    assert.equal(lines[3000], '199\t2026-01-18T14:30:00Z\tfile\trun/2999.csv');
    const total = entries.reduce((sum, e) => sum + e.body.length, 0);
    assert.equal(lines[3001], `# 3000 entries, ${total} bytes of contents`);
  });

  it('lists names longer than a header holds in full', async () => {
    const long = `${'deep/'.repeat(40)}file.csv`;
    const { lines } = await listingOf([{ name: long, body: 'a' }]);
    assert.equal(lines[1]?.split('\t')[3], long);
  });

  it('stops listing at the limit and counts the rest', async () => {
    const { written, lines } = await listingOf(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, body: '' })), 4);
    assert.equal(written.rows, 4);
    assert.equal(lines.at(-1), '# 10 entries, 0 bytes of contents; 6 not listed');
  });

  it('only lists entries named ../../etc/passwd or /etc/shadow: nothing is written beside the listing, and a name cannot forge a line', async () => {
    const { lines, dir } = await listingOf([
      { name: '../../etc/passwd', body: 'root' },
      { name: '/etc/shadow', body: 's' },
      { name: 'evil\nname', body: '' },
    ]);
    assert.deepEqual(lines.slice(1, 4).map((l) => l.split('\t')[3]), ['../../etc/passwd', '/etc/shadow', 'evil\\x0aname']);
    assert.deepEqual(readdirSync(dir).sort(), ['in.tar', 'out.txt']);
  });

  it('reports a corrupt tar and a truncated tar', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'junk.tar'), Buffer.alloc(2048, 'not a tar '));
    await assert.rejects(sampleTar(path.join(dir, 'junk.tar'), path.join(dir, 'o1'), context()), /header at byte 0 has a wrong checksum/);
    await writeTar(path.join(dir, 'whole.tar'), [{ name: 'big.bin', body: 'z'.repeat(5000) }]);
    writeFileSync(path.join(dir, 'cut.tar'), readFileSync(path.join(dir, 'whole.tar')).subarray(0, 2048));
    await assert.rejects(sampleTar(path.join(dir, 'cut.tar'), path.join(dir, 'o2'), context()), /is truncated: the entry "big.bin"/);
    assert.deepEqual(readdirSync(dir).sort(), ['cut.tar', 'junk.tar', 'whole.tar']);
  });

  it('fails a tar cut between two entries (no end-of-archive blocks) instead of listing what came before', async () => {
    const dir = tempDir();
    await writeTar(path.join(dir, 'whole.tar'), [{ name: 'a.txt', body: 'a'.repeat(100) }, { name: 'b.txt', body: 'b'.repeat(100) }]);
    // header + one padded block of contents: exactly the first entry, and nothing after it
    writeFileSync(path.join(dir, 'cut.tar'), readFileSync(path.join(dir, 'whole.tar')).subarray(0, 1024));
    await assert.rejects(sampleTar(path.join(dir, 'cut.tar'), path.join(dir, 'o'), context()), /is truncated: it ends at byte 1024 after 1 entry, without the end-of-archive blocks/);
    assert.deepEqual(readdirSync(dir).sort(), ['cut.tar', 'whole.tar']);
  });

  it('lists GNU and pax archives written by tar itself: long names, folders, symlinks (the header codec it relies on)', async (t) => {
    const dir = tempDir();
    const long = `${'deep/'.repeat(30)}file.csv`;
    mkdirSync(path.join(dir, 'src', path.dirname(long)), { recursive: true });
    writeFileSync(path.join(dir, 'src', long), 'a,b\n1,2\n');
    symlinkSync('deep', path.join(dir, 'src', 'alias'));
    for (const format of ['gnu', 'pax']) {
      try {
        execFileSync('tar', [`--format=${format}`, '-cf', path.join(dir, `${format}.tar`), '-C', path.join(dir, 'src'), 'alias', long]);
      } catch {
        return t.skip('no GNU tar on this machine');
      }
      await sampleTar(path.join(dir, `${format}.tar`), path.join(dir, `${format}.txt`), context());
      const lines = readFileSync(path.join(dir, `${format}.txt`), 'utf8').trimEnd().split('\n');
      assert.deepEqual(lines.slice(1, 3).map((l) => l.split('\t').slice(2).join('\t')), ['symlink\talias -> deep', `file\t${long}`], format);
      assert.match(lines[1] ?? '', /^0\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t/);
      assert.equal(lines[3], '# 2 entries, 8 bytes of contents');
    }
  });
});
