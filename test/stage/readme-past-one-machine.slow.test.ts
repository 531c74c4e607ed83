// The README's "Past one machine" commands, taken from README.md and run as written against a scratch PostgreSQL
// database and a scratch S3 bucket, which stand for the README's server and its `strata` bucket: the stagers of
// its loop stage a generated corpus through the catalog and stop on SIGTERM with exit 0, `history --catalog`
// reads the catalog, and its Python block reads the lake on S3 with Polars and PyArrow.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { pythonReaders } from '../support/python.js';
import { readmeSection, shellWords } from '../support/readme.js';
import { runCli } from '../support/run-cli.js';
import { queryPostgres as query, scratchPostgres } from '../support/scratch-postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { scratchBucket, skipWithoutS3 } from '../storage/s3-fixtures.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'serve', 'serve-cli-child.ts');
const SECTION = '## Past one machine';

const unreachable = await scratchPostgres('strata_readme_probe').unreachable();
if (unreachable !== null && process.env['STRATA_REQUIRE_PG'] === '1') throw new Error(`STRATA_REQUIRE_PG=1 but PostgreSQL is unreachable: ${unreachable}`);
const skip = (unreachable === null ? false : `PostgreSQL is unreachable (${unreachable})`) || (await skipWithoutS3());

/** The section's block of shell lines (the one that makes the catalog), trailing `# comments` cut, and its Python block. */
function examples(): { readonly lines: string[]; readonly python: string } {
  const section = readmeSection(SECTION);
  const block = section.split('\n\n').find((part) => part.startsWith('    createdb '));
  assert.ok(block, 'the section has a block of commands that starts by making the catalog');
  const python = /```python\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(python, 'the section has a Python block');
  return { lines: block.split('\n').map((line) => line.slice(4).replace(/\s+#\s.*$/, '').trim()), python };
}

describe("the README's Past one machine section", { skip }, () => {
  const catalog = scratchPostgres('strata_readme_catalog');
  const bucket = scratchBucket();
  before(() => catalog.create());
  after(() => catalog.drop());

  it('runs as written: the stagers stage every file and stop cleanly, history reads the catalog, Polars and PyArrow read S3', async () => {
    const { lines, python } = examples();
    const [createdb, devS3, exportCatalog, loop, history, validate] = lines;
    assert.equal(lines.length, 6, lines.join('\n'));

    // The catalog: the database createdb makes is the one STRATA_CATALOG names; a scratch database stands for it.
    const made = /^createdb -h (\S+) -U (\S+) (\S+)$/.exec(createdb!);
    assert.ok(made, createdb);
    assert.equal(exportCatalog, `export STRATA_CATALOG=postgres://${made[2]}@${made[1]}/${made[3]}`);
    // The local S3: this test's server (as `npm run dev:s3` sets it up for CI) with a bucket of its own.
    assert.equal(devS3, 'eval "$(npm run -s dev:s3)"');

    const cwd = tempDir();
    const raw = path.join(cwd, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 60, days: 2, seed: 24, badFiles: false, chips: [{ group: 'Alisson', number: 67 }, { group: 'Alisson', number: 75 }] });
    const env = { ...process.env, STRATA_CATALOG: catalog.url };
    const mapped = (arg: string) => ({ '/mnt/lab/raw': raw })[arg] ?? arg.replace(/^s3:\/\/strata\//, `s3://${bucket.name}/`);

    const stagers = /^for i in ((?:\d+ ?)+); do npx strata (.+) & done$/.exec(loop!);
    assert.ok(stagers, loop);
    const count = stagers[1]!.trim().split(' ').length;
    const args = shellWords(stagers[2]!).map(mapped);
    assert.ok(args.includes('--watch') && args.includes(raw) && args.some((a) => a.startsWith(`s3://${bucket.name}/`)), args.join(' '));
    const running: { readonly child: ChildProcess; readonly exited: Promise<{ code: number | null; stderr: string }> }[] = [];
    let stopped = 0;
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      running.push({ child, exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))) });
      child.on('exit', () => (stopped += 1));
    }
    // The first stager to start makes the catalog's tables: until then there are no runs to count.
    const runs = async () => {
      const [made] = await query<{ t: string | null }>(catalog.url, "SELECT to_regclass('strata.runs')::text t");
      return made?.t == null ? 0 : Number((await query<{ n: string }>(catalog.url, 'SELECT count(*) n FROM strata.runs'))[0]!.n);
    };
    try {
      const deadline = Date.now() + 300_000;
      while (stopped === 0 && (await runs()) < corpus.files.length && Date.now() < deadline) await sleep(500);
    } finally {
      for (const stager of running) stager.child.kill('SIGTERM');
    }
    for (const stager of running) {
      const { code, stderr } = await stager.exited;
      assert.equal(code, 0, stderr);
    }
    assert.equal(await runs(), corpus.files.length, 'every generated file is one run in the catalog');

    // A reader asks the catalog directly, with the variable the block exported.
    process.env['STRATA_CATALOG'] = catalog.url;
    let historyArgs: string[];
    let validateArgs: string[];
    try {
      historyArgs = shellWords(history!.replace(/^npx strata /, ''));
      validateArgs = shellWords(validate!.replace(/^npx strata /, '')).map(mapped);
    } finally {
      delete process.env['STRATA_CATALOG'];
    }
    assert.deepEqual(historyArgs.slice(0, 4), ['history', '67', '--catalog', catalog.url]);
    const read = await runCli(historyArgs, { cwd });
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stdout, /Alisson67|\bIt\b|IVg/);
    // ... and checks the catalog against the data files in the bucket.
    assert.deepEqual(validateArgs.slice(0, 3), ['validate-manifest', '--catalog', catalog.url]);
    const validated = await runCli(validateArgs, { cwd, env: { ...process.env } });
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    assert.match(validated.stdout + validated.stderr, /the catalog at /);

    // Polars and PyArrow read the lake on S3, with the variables of the local server.
    const readers = pythonReaders();
    if (!readers.ok) return;
    const [expected] = await query<{ runs: string; it_rows: string }>(catalog.url, "SELECT count(*) runs, coalesce(sum(rows) FILTER (WHERE proc = 'It'), 0) it_rows FROM strata.runs");
    const script = `
import ast, json, os, sys
code = sys.argv[1]
env = dict(globals())
seen = []
for statement in ast.parse(code).body:
    exec(compile(ast.Module([statement], []), '<README>', 'exec'), env)
    if any(isinstance(t, ast.Name) and t.id == 'it' for t in getattr(statement, 'targets', [])):
        value = env['it']
        seen.append(value.num_rows if hasattr(value, 'num_rows') else value.height)
print(json.dumps({"it": seen, "runs": env['runs'].height}))
`;
    const out = JSON.parse(readers.run(script, [python.replaceAll("'strata/lake/", `'${bucket.name}/lake/`).replaceAll("'s3://strata/lake/", `'s3://${bucket.name}/lake/`)])) as { it: number[]; runs: number };
    assert.deepEqual(out, { it: [Number(expected!.it_rows), Number(expected!.it_rows)], runs: Number(expected!.runs) }, 'Polars, then PyArrow, read every It row; Polars reads the manifest snapshot');
  });
});
