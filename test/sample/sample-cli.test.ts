import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

describe('strata record, bronze-path and sample', () => {
  it('bronze-path prints the bronze location for a given time, relative when asked relatively', async () => {
    const run = await runCli(['bronze-path', 'raw/env0/data.csv', '--at', '2026-01-18T14:30:00Z']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^bronze\/2026\/01\/18\/143000-[0-9a-f]{8}--data\.csv\n$/);
    const tag = createHash('sha256').update('env0/data.csv').digest('hex').slice(0, 8);
    assert.equal(run.stdout, `bronze/2026/01/18/143000-${tag}--data.csv\n`);
    // The README's example is what the command prints.
    assert.ok(readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8').includes(`# bronze/2026/01/18/143000-${tag}--data.csv`));
    const other = await runCli(['bronze-path', 'raw/env1/data.csv', '--at', '2026-01-18T14:30:00Z']);
    assert.notEqual(other.stdout, run.stdout);
    const rooted = await runCli(['bronze-path', '/d/in/e/x.csv', '--at', '2026-01-18T14:30:00', '--raw-root', '/d/in', '--bronze-root', '/d/b']);
    assert.match(rooted.stdout, /^\/d\/b\/2026\/01\/18\/143000-[0-9a-f]{8}--x\.csv\n$/);
  });

  it('bronze-path refuses a bad time and a file outside an environment folder with exit 2 and one line', async () => {
    const bad = await runCli(['bronze-path', 'raw/env0/data.csv', '--at', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^strata: .*expected an ISO-8601 time/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const outside = await runCli(['bronze-path', 'elsewhere/data.csv']);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /no folder named 'raw'/);
  });

  it('record then sample --once --json: samples the file, and a second run writes nothing', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'bronze'));
    writeFileSync(path.join(dir, 'bronze', '143000--run.csv'), '#Data:\nt,I\n1,2\n3,4\n5,6\n');
    const recorded = await runCli(['record', 'raw/env0/run.csv', 'bronze/143000--run.csv', '--log', 'processed.jsonl', '--json'], { cwd: dir });
    assert.equal(recorded.code, 0);
    assert.equal(lastJson(recorded)['bronze'], path.join(dir, 'bronze', '143000--run.csv'));
    assert.equal(readFileSync(path.join(dir, 'processed.jsonl'), 'utf8').split('\n').length, 2);

    const args = ['sample', '--log', 'processed.jsonl', '--samples-dir', 'samples', '--rows', '2', '--json', '--quiet'];
    const first = await runCli(args, { cwd: dir });
    assert.equal(first.code, 0);
    assert.equal(first.stdout.trim().split('\n').length, 1);
    assert.deepEqual({ ...lastJson<Record<string, unknown>>(first), seconds: 0 }, { lines: 1, sampled: 1, failed: 0, unchanged: 0, inFlight: 0, invalidLines: 0, failures: [], seconds: 0 });
    assert.equal(readFileSync(path.join(dir, 'samples', '143000--run_sample.csv'), 'utf8'), '#Data:\nt,I\n1,2\n3,4\n');
    const second = await runCli(args, { cwd: dir });
    assert.equal(lastJson(second)['lines'], 0);
  });

  it('sample reports a failed file on stderr and still exits 0', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'log.jsonl'), `${JSON.stringify({ raw: 'r', bronze: 'missing.zip', mtime: '2026-01-18T14:30:00Z', size: 1, recorded_at: '2026-01-18T14:30:01Z' })}\n`);
    const run = await runCli(['sample', '--log', 'log.jsonl', '--samples-dir', 's', '--json'], { cwd: dir });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /failed +.*missing.zip is gone: the file logged on line 1 of log.jsonl no longer exists/);
    assert.equal(lastJson(run)['failed'], 1);
  });

  it('sample refuses --once with --watch, a bad --rows and a missing log', async () => {
    const both = await runCli(['sample', '--log', 'l', '--samples-dir', 's', '--once', '--watch']);
    assert.equal(both.code, 2);
    const rows = await runCli(['sample', '--log', 'l', '--samples-dir', 's', '--rows', '0']);
    assert.equal(rows.code, 2);
    assert.match(rows.stderr, /expected a whole number from 1/);
    const dir = tempDir();
    const missing = await runCli(['sample', '--log', 'nope.jsonl', '--samples-dir', 's'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope.jsonl does not exist/);
  });

  it('documents every flag in --help', async () => {
    const help = await runCli(['sample', '--help']);
    for (const flag of ['--log', '--samples-dir', '--rows', '--once', '--watch', '--poll-ms', '--in-flight-prefix', '--json', '--quiet']) assert.match(help.stdout, new RegExp(flag));
    assert.match(help.stdout, /--rows <n> +data rows \(records, lines\) per sample\s+\(default: 100\)\n/);
    for (const command of ['sample', 'record', 'bronze-path', 'stage', 'pipeline']) {
      assert.doesNotMatch((await runCli([command, '--help'])).stdout, /\(default: [^)]*\)\s*\(default:/, command);
    }
    assert.match((await runCli(['record', '--help'])).stdout, /--log/);
    assert.match((await runCli(['bronze-path', '--help'])).stdout, /--raw-root.*\n?.*/);
  });

  it('sample --watch samples new lines as they arrive and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'log.jsonl'), '');
    writeFileSync(path.join(dir, 'a.jsonl'), '{"x":1}\n{"x":2}\n');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `const { main } = await import(${JSON.stringify(path.join(root, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, 'sample', '--log', 'log.jsonl', '--samples-dir', 's', '--watch', '--poll-ms', '20', '--json'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const sampled = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => ((stderr += c.toString()), stderr.includes('sampled') && resolve()));
      void exited.then(() => reject(new Error(`strata sample --watch exited early: ${stderr}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(path.join(dir, 'log.jsonl'), `${JSON.stringify({ raw: 'r/a.jsonl', bronze: 'a.jsonl', mtime: '2026-01-18T14:30:00Z', size: 16, recorded_at: '2026-01-18T14:30:01Z' })}\n`, { flag: 'a' });
    await sampled;
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout.trim().split('\n').pop() ?? '{}').sampled, 1);
    assert.equal(existsSync(path.join(dir, 's', 'a_sample.jsonl')), true);
    assert.deepEqual(readdirSync(path.join(dir, 's')).filter((f) => f.startsWith('.tmp-')), []);
  });

  it("samples the design producer's log as written, in the design's layout, and a second run writes nothing", async () => {
    const dataset = path.join(tempDir(), 'sp', 'gics', '1.0');
    mkdirSync(path.join(dataset, 'bronze', '2026', '01', '18'), { recursive: true });
    mkdirSync(path.join(dataset, 'manifests'));
    writeFileSync(path.join(dataset, 'bronze', '2026', '01', '18', '143000--data.csv'), 'a,b\n1,2\n3,4\n5,6\n');
    writeFileSync(path.join(dataset, 'bronze', '2026', '01', '18', '143005--file.jsonl'), '{"x": 1}\n{"x": 2}\n{"x": 3}\n');
    writeFileSync(
      path.join(dataset, 'manifests', 'processed.jsonl'),
      '{"raw": "raw/env0/data.csv", "bronze": "bronze/2026/01/18/143000--data.csv", "mtime": 1737200000.0}\n' +
        '{"raw": "raw/env1/file.jsonl", "bronze": "bronze/2026/01/18/143005--file.jsonl", "mtime": 1737200100.0}\n',
    );
    const args = ['sample', '--log', 'manifests/processed.jsonl', '--samples-dir', 'samples', '--rows', '2', '--json', '--quiet'];
    const first = await runCli(args, { cwd: dataset });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual({ ...lastJson<Record<string, unknown>>(first), seconds: 0 }, { lines: 2, sampled: 2, failed: 0, unchanged: 0, inFlight: 0, invalidLines: 0, failures: [], seconds: 0 });
    assert.equal(readFileSync(path.join(dataset, 'samples', '143000--data_sample.csv'), 'utf8'), 'a,b\n1,2\n3,4\n');
    assert.equal(readFileSync(path.join(dataset, 'samples', '143005--file_sample.jsonl'), 'utf8'), '{"x": 1}\n{"x": 2}\n');
    writeFileSync(path.join(dataset, 'manifests', 'processed.jsonl'), '{"raw": "raw/env0/data.csv", "bronze": "bronze/2026/01/18/143000--data.csv", "mtime": 1737200000.0}\n', { flag: 'a' });
    const second = await runCli(args, { cwd: dataset });
    assert.deepEqual([lastJson(second)['lines'], lastJson(second)['sampled'], lastJson(second)['unchanged']], [1, 0, 1]);
  });

  it('record creates the folder of a log that does not exist yet', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'b.csv'), 'a\n1\n');
    const run = await runCli(['record', 'raw/env0/b.csv', 'b.csv', '--log', 'ds/manifests/processed.jsonl'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'ds', 'manifests', 'processed.jsonl'), 'utf8')).bronze, path.join(dir, 'b.csv'));
  });

  it('sample --once reads past a line longer than the limit, counting it as one bad line', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.jsonl'), '{"x":1}\n');
    const good = '{"raw": "raw/env0/a.jsonl", "bronze": "a.jsonl", "mtime": 1737200000.0}\n';
    writeFileSync(path.join(dir, 'log.jsonl'), `{"raw": "${'x'.repeat(17 * 1024 * 1024)}"}\n${good}`);
    const run = await runCli(['sample', '--log', 'log.jsonl', '--samples-dir', 's', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /bad line Line 1 of log.jsonl \(from byte 0\) is 17825\d+ bytes long, more than the 16777216 a log line may have; skipped/);
    assert.deepEqual([lastJson(run)['invalidLines'], lastJson(run)['sampled']], [1, 1]);
  });
});
