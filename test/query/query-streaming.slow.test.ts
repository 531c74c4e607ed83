// `strata query` streams what it prints: CSV and JSON of millions of rows in constant memory, to --out or stdout;
// a reader that goes away stops it; a failure mid-stream leaves no file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { tempDir } from '../support/temp-dir.js';
import { query, smallLake, type SmallLake } from './small-lake.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const child = fileURLToPath(new URL('./cli-child.ts', import.meta.url));

interface ChildRun {
  readonly code: number | null;
  readonly peakMb: number;
  readonly stdoutBytes: number;
  readonly stdoutHead: string;
  readonly stdoutTail: string;
  readonly stderr: string;
}

/** The CLI in a child process; stdout is counted, not kept, so the parent's memory is not the child's. */
function strata(args: readonly string[], shell?: string): Promise<ChildRun> {
  const node = [process.execPath, '--import', import.meta.resolve('tsx'), child, ...args];
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const proc = shell
    ? spawn('bash', ['-c', `set -o pipefail; ${node.map(quoted).join(' ')} ${shell}`], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(node[0]!, node.slice(1), { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let bytes = 0;
  let head = '';
  let tail = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (head.length < 200) head += chunk.toString().slice(0, 200);
    tail = (tail + chunk.toString()).slice(-200);
  });
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      const report = JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { peakMb?: number };
      resolve({ code, peakMb: report.peakMb ?? NaN, stdoutBytes: bytes, stdoutHead: head, stdoutTail: tail, stderr });
    }),
  );
}

async function lineCountAndLast(file: string): Promise<{ lines: number; last: string }> {
  let lines = 0;
  let last = '';
  for await (const line of createInterface({ input: createReadStream(file) })) {
    lines += 1;
    last = line;
  }
  return { lines, last };
}

/** Far above what the CLI needs to stream, far below what holding the rows would take. */
const PEAK_MB = 400;

describe('strata query output, streamed', () => {
  let lake: SmallLake;
  before(async () => {
    lake = await smallLake({ files: 12, days: 1 });
  });

  it('writes 5 million rows as CSV to --out in bounded memory, whole, and says how many', async () => {
    const out = path.join(tempDir(), 'range.csv');
    const run = await strata(['query', `SELECT range AS i, range % 7 AS k, 'row number ' || range AS s FROM range(5000000)`, '--stage-root', lake.stageRoot, '--format', 'csv', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.peakMb < PEAK_MB, `peak ${run.peakMb.toFixed(0)} MB`);
    assert.match(run.stderr, /wrote 5000000 rows to /);
    const { lines, last } = await lineCountAndLast(out);
    assert.equal(lines, 5_000_001);
    assert.equal(last, '4999999,4,row number 4999999');
    assert.ok(statSync(out).size > 100_000_000);
  });

  it('streams JSON to stdout in bounded memory', async () => {
    const run = await strata(['query', 'SELECT range AS i FROM range(3000000)', '--stage-root', lake.stageRoot, '--format', 'json']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.peakMb < PEAK_MB, `peak ${run.peakMb.toFixed(0)} MB`);
    assert.ok(run.stdoutHead.startsWith('[{"i":0},{"i":1},'), run.stdoutHead);
    assert.ok(run.stdoutTail.endsWith(',{"i":2999999}]\n'), run.stdoutTail);
  });

  it('stops reading when the reader of stdout goes away (`| head -1`), exit 0', async () => {
    const started = performance.now();
    const run = await strata(['query', 'SELECT range AS i FROM range(200000000)', '--stage-root', lake.stageRoot, '--format', 'csv'], '| head -1');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdoutHead, 'i\n');
    assert.ok(performance.now() - started < 60_000, 'the 200 million rows were not all read');
  });

  it('leaves no file at --out when the query fails while its rows stream', async () => {
    const dir = tempDir();
    const run = await query(lake, `SELECT CASE WHEN range < 3000000 THEN range ELSE error('boom at ' || range) END AS i FROM range(4000000)`, '--format', 'csv', '--out', path.join(dir, 'x.csv'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /the query failed(: Invalid Input Error: boom at \d+| while reading its rows: DuckDB stopped with an error after \d+ rows)/);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(path.join(dir, 'x.csv')), false);
  });
});
