import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Engine, sqlLiteral } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { recordProcessedFile } from './processed-log.js';
import { CACHE_FILE_NAME } from './sample-cache.js';
import { runSampler, type SamplerOptions } from './run-sampler.js';

function lab() {
  const dir = tempDir();
  const bronze = path.join(dir, 'bronze');
  mkdirSync(bronze);
  const log = path.join(dir, 'processed.jsonl');
  const samples = path.join(dir, 'samples');
  const add = async (name: string, content: string | Buffer) => {
    writeFileSync(path.join(bronze, name), content);
    return recordProcessedFile(log, { raw: path.join(dir, 'raw', 'env0', name.replace(/^\d{6}--/, '')), bronze: path.join(bronze, name) });
  };
  return { dir, bronze, log, samples, add };
}

const csv = (rows: number) => `#Procedure: <x.It>\r\n#Data:\r\nt,I\r\n${Array.from({ length: rows }, (_, i) => `${i},${i * 2}`).join('\r\n')}\r\n`;

describe('runSampler', () => {
  it('refuses a bronze symlink whose target leaves the bronze root, and samples one that stays inside', async () => {
    const { dir, log, samples, add, bronze } = lab();
    writeFileSync(path.join(dir, 'secret.csv'), 'user,password\nroot,hunter2\n');
    await add('143000--real.csv', 'a\n1\n');
    symlinkSync(path.join(dir, 'secret.csv'), path.join(bronze, '143001--passwd.csv'));
    symlinkSync(path.join(bronze, '143000--real.csv'), path.join(bronze, '143002--alias.csv'));
    for (const name of ['143001--passwd.csv', '143002--alias.csv']) {
      await recordProcessedFile(log, { raw: path.join(dir, 'raw', 'env0', name), bronze: path.join(bronze, name) });
    }
    const summary = await runSampler({ log, samplesDir: samples, rows: 2 });
    assert.deepEqual([summary.sampled, summary.failed], [2, 1]);
    assert.match(summary.failures[0]?.reason ?? '', /143001--passwd.csv \(line 2 of processed.jsonl\) lies outside the bronze root .*bronze \(it resolves to .*secret.csv\); it is not sampled\.$/);
    assert.equal(existsSync(path.join(samples, '143001--passwd_sample.csv')), false);
    assert.equal(readFileSync(path.join(samples, '143002--alias_sample.csv'), 'utf8'), 'a\n1\n');
  });

  it('reads no file outside the bronze root that a log line names: an absolute path, ../, or a link in a folder on the way', async () => {
    const { dir, log, samples, add, bronze } = lab();
    writeFileSync(path.join(dir, 'secret.csv'), 'user,password\nroot,hunter2\n');
    mkdirSync(path.join(dir, 'elsewhere'));
    writeFileSync(path.join(dir, 'elsewhere', 'data.csv'), 'a\n1\n');
    symlinkSync(path.join(dir, 'elsewhere'), path.join(bronze, 'linked'));
    await add('good.csv', 'a\n1\n');
    const lines = ['/etc/passwd', '/etc/hostname', '../secret.csv', 'bronze/../secret.csv', path.join(bronze, 'linked', 'data.csv')];
    for (const logged of lines) appendFileSync(log, `${JSON.stringify({ raw: 'raw/env0/x', bronze: logged, mtime: 1737200000 })}\n`);
    const summary = await runSampler({ log, samplesDir: samples, rows: 2 });
    assert.deepEqual([summary.sampled, summary.failed], [1, lines.length]);
    for (const failure of summary.failures) assert.match(failure.reason, /\(line \d of processed\.jsonl\) lies outside the bronze root .*bronze.*; it is not sampled\.$/);
    assert.deepEqual(readdirSync(samples).sort(), [CACHE_FILE_NAME, 'good_sample.csv'], 'no sample, no .meta.json of a file outside bronze');
  });

  it('samples files under the bronze root it is given, and nothing outside it', async () => {
    const { dir, log, samples } = lab();
    mkdirSync(path.join(dir, 'store'));
    writeFileSync(path.join(dir, 'store', 'a.csv'), 'a\n1\n');
    await recordProcessedFile(log, { raw: 'raw/e/a.csv', bronze: path.join(dir, 'store', 'a.csv') });
    assert.equal((await runSampler({ log, samplesDir: samples })).failed, 1, 'outside the default root, dir/bronze');
    const other = await runSampler({ log, samplesDir: path.join(dir, 'samples2'), bronzeRoot: path.join(dir, 'store') });
    assert.deepEqual([other.sampled, other.failed], [1, 0]);
  });

  it('refuses a bronze file whose name cannot name a sample, and writes nothing outside the samples folder', async () => {
    const { log, samples, add } = lab();
    for (const name of ['..csv', 'a  b.csv', 'x[1].csv', '{a,b}.json', `${'x'.repeat(100)}.csv`, 'ok.csv']) await add(name, 'a\n1\n');
    const summary = await runSampler({ log, samplesDir: samples });
    assert.deepEqual([summary.sampled, summary.failed], [1, 5]);
    for (const failure of summary.failures) {
      assert.match(failure.reason, /its sample's name must be letters, digits, '_', '\.', '\+', '-' or single spaces between them \(1 to 100 characters, starting with a letter or digit\).*; it is not sampled\.$/);
    }
    assert.deepEqual(readdirSync(samples).sort(), [CACHE_FILE_NAME, 'ok_sample.csv']);
    assert.deepEqual(readdirSync(path.dirname(samples)).sort(), ['bronze', 'processed.jsonl', 'samples']);
  });

  it('samples every entry of the log once, records failures with a reason, and goes on', async () => {
    const { log, samples, add, bronze } = lab();
    await add('143000--It.csv', csv(50));
    await add('143001--It.csv.gz', gzipSync(csv(50)).subarray(0, 30));
    await add('143002--list.json', '[{"a":1},{"a":2},{"a":3}]');
    await add('143003--temp_half.csv', 'a\n1\n');
    await add('143004--gone.csv', 'a\n');
    await add('143005--blob.bin', 'xyz');
    appendFileSync(log, 'this line is not JSON\n');
    await add('143006--empty.csv', '');
    rmSync(path.join(bronze, '143004--gone.csv'));

    const outcomes: string[] = [];
    const summary = await runSampler({ log, samplesDir: samples, rows: 2, onOutcome: (o) => outcomes.push(o.kind) });
    assert.deepEqual(outcomes, ['sampled', 'failed', 'sampled', 'in-flight', 'failed', 'sampled', 'invalid-line', 'sampled']);
    assert.deepEqual({ ...summary, failures: summary.failures.length }, { lines: 8, sampled: 4, failed: 2, unchanged: 0, inFlight: 1, invalidLines: 1, failures: 2 });
    assert.match(summary.failures[0]?.reason ?? '', /143001--It.csv.gz is not a readable gzip file \(it ends early, the file is truncated\)\.$/);
    assert.match(summary.failures[1]?.reason ?? '', /143004--gone.csv is gone: the file logged on line 5 of processed.jsonl no longer exists\.$/);
    assert.deepEqual(readdirSync(samples).sort(), [
      CACHE_FILE_NAME,
      '143000--It_sample.csv',
      '143002--list_sample.json',
      '143005--blob.bin_sample.meta.json',
      '143006--empty_sample.csv',
    ]);
    assert.equal(readFileSync(path.join(samples, '143000--It_sample.csv'), 'utf8'), '#Procedure: <x.It>\r\n#Data:\r\nt,I\r\n0,0\r\n1,2\r\n');
    const cache = JSON.parse(readFileSync(path.join(samples, CACHE_FILE_NAME), 'utf8')) as { files: Record<string, { status: string; reason?: string }> };
    assert.equal(cache.files[path.join(bronze, '143004--gone.csv')]?.status, 'failed');
  });

  it('samples Parquet files through one DuckDB opened on demand, and closes it at the end of the run', async () => {
    const { log, samples, bronze, add } = lab();
    const engine = await Engine.open();
    try {
      const conn = await engine.connect();
      for (const name of ['a.parquet', 'b.parquet']) await conn.run(`COPY (SELECT range AS i FROM range(10)) TO ${sqlLiteral(path.join(bronze, name))} (FORMAT parquet)`);
      conn.close();
    } finally {
      engine.close();
    }
    for (const name of ['a.parquet', 'b.parquet']) await recordProcessedFile(log, { raw: `raw/e/${name}`, bronze: path.join(bronze, name) });
    await add('c.csv', csv(3));
    const summary = await runSampler({ log, samplesDir: samples, rows: 2 });
    assert.deepEqual([summary.sampled, summary.failed], [3, 0]);
    assert.deepEqual(readdirSync(samples).sort(), [CACHE_FILE_NAME, 'a_sample.parquet', 'b_sample.parquet', 'c_sample.csv']);
  });

  it('writes nothing on a second run over an unchanged log', async () => {
    const { log, samples, add } = lab();
    await add('a.csv', csv(5));
    await runSampler({ log, samplesDir: samples });
    const snapshot = () => readdirSync(samples).map((f) => `${f} ${statSync(path.join(samples, f)).mtimeMs}`);
    const before = snapshot();
    const summary = await runSampler({ log, samplesDir: samples });
    assert.equal(summary.lines, 0);
    assert.deepEqual(snapshot(), before);
  });

  it('re-samples a file logged again with a new mtime, and skips one logged again unchanged', async () => {
    const { log, samples, add, bronze } = lab();
    await add('a.csv', csv(5));
    await add('b.csv', csv(5));
    await runSampler({ log, samplesDir: samples, rows: 1 });
    writeFileSync(path.join(bronze, 'a.csv'), 'x,y\n7,8\n9,9\n');
    utimesSync(path.join(bronze, 'a.csv'), new Date('2030-01-01'), new Date('2030-01-01'));
    await recordProcessedFile(log, { raw: 'raw/e/a.csv', bronze: path.join(bronze, 'a.csv') });
    await recordProcessedFile(log, { raw: 'raw/e/b.csv', bronze: path.join(bronze, 'b.csv') });
    const summary = await runSampler({ log, samplesDir: samples, rows: 1 });
    assert.deepEqual([summary.sampled, summary.unchanged], [1, 1]);
    assert.equal(readFileSync(path.join(samples, 'a_sample.csv'), 'utf8'), 'x,y\n7,8\n');
  });

  it('gives two bronze files with the same name two samples', async () => {
    const { log, samples, dir } = lab();
    for (const day of ['17', '18']) {
      const file = path.join(dir, 'bronze', day, '143000--data.csv');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `day\n${day}\n`);
      await recordProcessedFile(log, { raw: 'raw/e/data.csv', bronze: file });
    }
    await runSampler({ log, samplesDir: samples });
    const names = readdirSync(samples).filter((f) => f !== CACHE_FILE_NAME).sort();
    assert.equal(names.length, 2);
    assert.equal(names[0], '143000--data_sample.csv');
    assert.match(names[1] ?? '', /^143000--data~[0-9a-f]{8}_sample\.csv$/);
  });

  it('uses the in-flight prefixes it is given', async () => {
    const { log, samples, add } = lab();
    await add('data.csv.part', 'a\n');
    await add('temp_data.csv', 'a\n');
    const summary = await runSampler({ log, samplesDir: samples, inFlightPrefixes: ['data.csv.p', '~'] });
    assert.deepEqual([summary.inFlight, summary.sampled], [1, 1]);
  });

  it('refuses a log that does not exist when run once', async () => {
    const { log, samples } = lab();
    await assert.rejects(runSampler({ log, samplesDir: samples }), /processed-files log .* does not exist/);
  });

  it('in watch mode, samples lines as they are appended and stops cleanly when aborted', async () => {
    const { log, samples, add } = lab();
    const controller = new AbortController();
    const sampled: string[] = [];
    let onSampled: () => void = () => {};
    const options: SamplerOptions = {
      log,
      samplesDir: samples,
      mode: 'watch',
      pollMs: 10,
      signal: controller.signal,
      onOutcome: (o) => {
        if (o.kind === 'sampled') sampled.push(path.basename(o.bronze));
        onSampled();
      },
    };
    const running = runSampler(options);
    for (const name of ['first.csv', 'second.jsonl']) {
      const seen = new Promise<void>((resolve) => (onSampled = resolve));
      await add(name, 'a\n1\n');
      await seen;
    }
    controller.abort();
    const summary = await running;
    assert.deepEqual(sampled, ['first.csv', 'second.jsonl']);
    assert.equal(summary.sampled, 2);
    assert.equal(existsSync(path.join(samples, 'second_sample.jsonl')), true);
    const again = await runSampler({ log, samplesDir: samples });
    assert.equal(again.lines, 0);
  });
});
