import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { appendLogEntry, readLogFrom, recordProcessedFile, resolveLogged, type LogEntry } from './processed-log.js';

const entry = (n: number): LogEntry => ({ raw: `raw/e/${n}.csv`, bronze: `bronze/${n}.csv`, mtime: '2026-01-18T14:30:00.000Z', size: n, recorded_at: '2026-01-18T14:30:01.000Z' });

describe('the processed-files log', () => {
  it('appends whole JSON lines that read back as the same entries', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    await appendLogEntry(log, entry(1));
    await appendLogEntry(log, entry(2));
    const chunk = await readLogFrom(log, 0);
    assert.deepEqual(chunk.lines.map((l) => (l.kind === 'entry' ? l.entry : l.reason)), [entry(1), entry(2)]);
    assert.equal(chunk.nextOffset, readFileSync(log).length);
    assert.equal(chunk.nextLine, 3);
  });

  it('records the bronze file it finds on disk with its mtime and size', async () => {
    const dir = tempDir();
    const bronze = path.join(dir, 'data.csv');
    writeFileSync(bronze, 'a,b\n1,2\n');
    const log = path.join(dir, 'processed.jsonl');
    const written = await recordProcessedFile(log, { raw: path.join(dir, 'raw.csv'), bronze }, new Date('2026-01-18T14:30:00Z'));
    assert.equal(written.size, 8);
    assert.equal(written.recorded_at, '2026-01-18T14:30:00.000Z');
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8')), written);
  });

  it('refuses to record when neither the bronze nor the raw file exists', async () => {
    const dir = tempDir();
    await assert.rejects(recordProcessedFile(path.join(dir, 'log'), { raw: path.join(dir, 'r.csv'), bronze: path.join(dir, 'b.csv') }), /Neither the bronze file/);
  });

  it('leaves a torn last line for later and picks it up once its writer finishes it', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    await appendLogEntry(log, entry(1));
    const whole = `${JSON.stringify(entry(2))}\n`;
    appendFileSync(log, whole.slice(0, 20));
    const first = await readLogFrom(log, 0);
    assert.equal(first.lines.length, 1);
    appendFileSync(log, whole.slice(20));
    const second = await readLogFrom(log, first.nextOffset, first.nextLine);
    assert.equal(second.lines.length, 1);
    assert.deepEqual(second.lines[0]?.kind === 'entry' && second.lines[0].entry, entry(2));
    assert.equal(second.lines[0]?.line, 2);
  });

  it('reports a line that is not JSON, or not an entry, with its line number, and reads on', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    writeFileSync(log, `not json at all\n{"raw":"r"}\n\n${JSON.stringify(entry(3))}\n`);
    const { lines } = await readLogFrom(log, 0);
    assert.equal(lines.length, 3);
    assert.match(lines[0]?.kind === 'invalid' ? lines[0].reason : '', /^Line 1 of processed.jsonl is not JSON/);
    assert.match(lines[1]?.kind === 'invalid' ? lines[1].reason : '', /^Line 2 of processed.jsonl has no 'bronze' text/);
    assert.equal(lines[2]?.kind, 'entry');
    assert.equal(lines[2]?.line, 4);
  });

  it('makes a line whose path holds a NUL byte a bad line with a sentence, not a path handed to the file system', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    writeFileSync(log, `${JSON.stringify({ raw: 'raw/e/a.csv', bronze: 'bronze/a\u0000b.csv', mtime: 1 })}\n${JSON.stringify({ raw: 'r\u0000', bronze: 'b.csv', mtime: 1 })}\n`);
    const { lines } = await readLogFrom(log, 0);
    assert.deepEqual(
      lines.map((l) => (l.kind === 'invalid' ? l.reason.replace(/: \{.*$/, '') : l.kind)),
      ["Line 1 of processed.jsonl has a NUL character in its 'bronze' path, which no file can have", "Line 2 of processed.jsonl has a NUL character in its 'raw' path, which no file can have"],
    );
  });

  it('reads a log larger than one read in several chunks without losing a line', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    writeFileSync(log, Array.from({ length: 500 }, (_, i) => JSON.stringify(entry(i))).join('\n') + '\n');
    let offset = 0;
    let line = 1;
    const sizes: number[] = [];
    for (;;) {
      const chunk = await readLogFrom(log, offset, line, 4096);
      if (chunk.nextOffset === offset) break;
      for (const l of chunk.lines) if (l.kind === 'entry') sizes.push(l.entry.size ?? -1);
      ({ nextOffset: offset, nextLine: line } = chunk);
    }
    assert.deepEqual(sizes, Array.from({ length: 500 }, (_, i) => i));
  });

  it('loses and tears no line when four processes append at the same time', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    const module = new URL('./processed-log.ts', import.meta.url).href;
    const script = `
      const { appendLogEntry } = await import(${JSON.stringify(module)});
      const w = process.argv[1];
      await Promise.all(Array.from({ length: 500 }, (_, i) => appendLogEntry(${JSON.stringify(log)},
        { raw: 'raw/' + w + '/' + i + '.csv', bronze: 'b/' + i + '.csv'.repeat(40), mtime: '2026-01-18T14:30:00Z', size: i, recorded_at: w })));`;
    const run = (w: string) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, w]);
    await Promise.all(['w0', 'w1', 'w2', 'w3'].map(run));
    const { lines } = await readLogFrom(log, 0, 1, 64 * 1024 * 1024);
    assert.equal(lines.length, 2000);
    assert.equal(lines.filter((l) => l.kind === 'entry').length, 2000);
    assert.equal(new Set(lines.map((l) => (l.kind === 'entry' ? l.entry.raw : ''))).size, 2000);
  });

  it("reads the design producer's lines (json.dumps spacing, epoch-second mtime, no size, no recorded_at)", async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    writeFileSync(
      log,
      '{"raw": "raw/env0/data.csv", "bronze": "bronze/2026/01/18/143000--data.csv", "mtime": 1737200000.0}\n' +
        '{"raw": "raw/env1/file.parquet", "bronze": "bronze/2026/01/18/143005--file.parquet", "mtime": 1737200100.5}\n' +
        '{"raw": "raw/env1/x.csv", "bronze": "bronze/x.csv", "mtime": "yesterday"}\n',
    );
    const { lines } = await readLogFrom(log, 0);
    assert.deepEqual(lines[0]?.kind === 'entry' && lines[0].entry, {
      raw: 'raw/env0/data.csv',
      bronze: 'bronze/2026/01/18/143000--data.csv',
      mtime: '2025-01-18T11:33:20.000Z',
      size: null,
      recorded_at: null,
    });
    assert.equal(lines[1]?.kind === 'entry' && lines[1].entry.mtime, '2025-01-18T11:35:00.500Z');
    assert.match(lines[2]?.kind === 'invalid' ? lines[2].reason : '', /^Line 3 of processed.jsonl has no 'mtime' \(epoch seconds, or an ISO-8601 time\)/);
  });

  it("resolves relative paths from the dataset folder when the log is in manifests/, else from the log's folder", () => {
    assert.equal(resolveLogged('/d/sp/ds/1.0/manifests/processed.jsonl', 'bronze/2026/01/18/x.csv'), '/d/sp/ds/1.0/bronze/2026/01/18/x.csv');
    assert.equal(resolveLogged('/lake/processed.jsonl', 'bronze/x.csv'), '/lake/bronze/x.csv');
    assert.equal(resolveLogged('/lake/manifests/p.jsonl', '/abs/x.csv'), '/abs/x.csv');
  });

  it('makes a line longer than the limit one invalid line and reads the lines after it', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    const long = `{"raw": "${'r'.repeat(300_000)}", "bronze": "b", "mtime": 1.0}`;
    writeFileSync(log, `${JSON.stringify(entry(1))}\n${long}\n${JSON.stringify(entry(2))}\n`);
    const seen: string[] = [];
    let offset = 0;
    let line = 1;
    for (;;) {
      const chunk = await readLogFrom(log, offset, line, 4096, 65_536);
      if (chunk.nextOffset === offset) break;
      for (const l of chunk.lines) seen.push(l.kind === 'entry' ? `entry ${l.line}` : l.reason);
      ({ nextOffset: offset, nextLine: line } = chunk);
    }
    assert.equal(seen.length, 3);
    assert.equal(seen[0], 'entry 1');
    assert.match(seen[1] ?? '', /^Line 2 of processed.jsonl \(from byte \d+\) is 300\d+ bytes long, more than the 65536 a log line may have; skipped/);
    assert.equal(seen[2], 'entry 3');
    assert.equal(offset, readFileSync(log).length);
  });

  it('leaves an over-long line that has no newline yet for later, without stopping', async () => {
    const log = path.join(tempDir(), 'processed.jsonl');
    writeFileSync(log, 'x'.repeat(200_000));
    const chunk = await readLogFrom(log, 0, 1, 4096, 65_536);
    assert.deepEqual(chunk, { lines: [], nextOffset: 0, nextLine: 1 });
  });

  it("creates the log's folder when it appends the first line", async () => {
    const log = path.join(tempDir(), 'sp', 'ds', '1.0', 'manifests', 'processed.jsonl');
    await appendLogEntry(log, entry(1));
    assert.equal(readFileSync(log, 'utf8'), `${JSON.stringify(entry(1))}\n`);
  });
});
