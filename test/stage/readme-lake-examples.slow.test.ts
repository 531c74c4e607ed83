// The README's lake examples, taken from README.md itself and run as written on the lake `npx strata demo` makes:
// the quick start, reading the lake (DuckDB, Polars, PyArrow, pandas), query, stage, infer-schema, chip
// parameters and serve; and the procedures YAML example of docs/procedures.md. An edit that breaks one fails here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/duckdb.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { projectRoot } from '../../src/version.js';
import { pythonReaders } from '../support/python.js';
import { docPage, indentedLines, readmeSection, shellWords, strataExamples } from '../support/readme.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const READING = '## Reading the lake';
const STAGE = '### `strata stage`: raw files into the lake';
const CLI_CHILD = fileURLToPath(new URL('../serve/serve-cli-child.ts', import.meta.url));

describe('the README lake examples, after `npx strata demo`', () => {
  let cwd: string;
  let runs: ManifestRow[];
  const rowsOf = (procs: readonly string[]) => runs.filter((r) => procs.includes(r.proc)).reduce((sum, r) => sum + r.rows, 0);
  const strata = async (args: readonly string[]) => {
    const run = await runCli(args, { cwd, env: { STRATA_SETTLE: '0' } });
    assert.equal(run.code, 0, `strata ${args.join(' ')}: ${run.stderr}`);
    return run;
  };

  before(async () => {
    // A checkout-like folder: the examples the README names are there.
    cwd = tempDir();
    cpSync(path.join(projectRoot, 'examples'), path.join(cwd, 'examples'), { recursive: true });
    // `npm ci && npx strata demo`: the checkout is installed already.
    const quickStart = indentedLines(readmeSection('## Quick start'), 'npm ci && npx strata ').map(shellWords);
    assert.deepEqual(quickStart, [['demo']]);
    await strata([...quickStart[0]!, '--quiet']);
    const engine = await Engine.open();
    try {
      runs = await readManifest(await engine.connect(), path.join(cwd, 'data', '02_stage', '_manifest', 'manifest.parquet'));
    } finally {
      engine.close();
    }
    assert.ok(runs.length > 200, `the demo staged ${runs.length} runs`);
  });

  it('reads the lake with the DuckDB lines of "Reading the lake", paths relative to the folder as written', async () => {
    const sql = indentedLines(readmeSection(READING), 'duckdb:  ');
    assert.equal(sql.length, 2);
    const engine = await Engine.open();
    const home = process.cwd();
    process.chdir(cwd); // the examples' paths are relative to where the user stands
    try {
      const conn = await engine.connect();
      const counts = [];
      for (const query of sql) counts.push(Number((await conn.all<{ n: bigint }>(`SELECT count(*) AS n FROM (${query})`))[0]?.n));
      assert.deepEqual(counts, [rowsOf(['It']), rowsOf([...new Set(runs.map((r) => r.proc))])]);
    } finally {
      process.chdir(home);
      engine.close();
    }
  });

  it('reads the lake with the Polars, PyArrow and pandas lines of "Reading the lake", as written', async (t) => {
    const python = pythonReaders();
    if (!python.ok) return t.skip(python.reason);
    const section = readmeSection(READING);
    const lines = ['polars:  ', 'pyarrow: ', 'pandas:  '].flatMap((p) => indentedLines(section, p).map((code) => ({ reader: p.trim(), code })));
    assert.equal(lines.length, 5, 'one procedure: three readers; the whole lake: Polars and PyArrow');
    const setup = /with\s+`(S = [^`]+)`\s+and\s+`(procs = [^`]+)`/.exec(section.replaceAll('\n', ' '));
    assert.ok(setup, 'the section says what S and procs are');
    const script = `
import json, os, sys
import polars as pl, pyarrow as pa, pyarrow.parquet as pq, pandas as pd
os.chdir(sys.argv[1])
${setup[1]}
${setup[2]}
def rows(value):
    value = value.collect() if isinstance(value, pl.LazyFrame) else value
    return value.num_rows if isinstance(value, pa.Table) else len(value)
print(json.dumps([rows(eval(code)) for code in json.loads(sys.argv[2])]))
`;
    const counts = JSON.parse(python.run(script, [cwd, JSON.stringify(lines.map((l) => l.code))])) as number[];
    const wholeProcs = JSON.parse(/procs = (\[[^\]]*\])/.exec(setup[2]!)![1]!.replaceAll("'", '"')) as string[];
    const expected = lines.map((l) => (l.code.includes('procs') ? rowsOf(wholeProcs) : rowsOf(['It'])));
    assert.deepEqual(counts, expected, lines.map((l) => `${l.reader} ${l.code}`).join('\n'));
  });

  it('runs the `strata query` lines as written', async () => {
    const queries = strataExamples(READING);
    assert.equal(queries.length, 2);
    const joined = await strata(queries[0]!);
    assert.match(joined.stdout, /chip_name\s+points/);
    const csv = await strata(queries[1]!);
    assert.match(csv.stdout, /^run_id,max\(i_a\)\n/);
  });

  it('stages with the lines of the stage section (the second one with its two example mount points made real)', async () => {
    const [first, second] = strataExamples(STAGE);
    const again = await strata([...first!, '--json']);
    assert.equal(lastJson<{ ok: number }>(again).ok, 0, 'the demo lake is staged already: nothing to redo');
    const mapped = second!.map((arg) => ({ '/mnt/lab': 'data/01_raw', '/lake/stage': 'lake/stage' })[arg] ?? arg);
    assert.notDeepEqual(mapped, second, 'the second line names /mnt/lab and /lake/stage');
    const fresh = await strata(mapped);
    assert.equal(lastJson<{ ok: number }>(fresh).ok, runs.length);
  });

  it('proposes a procedures YAML with infer-schema that stages every good file', async () => {
    const [infer] = strataExamples('### `strata infer-schema`: propose a procedures YAML');
    await strata(infer!);
    const out = infer![infer!.indexOf('--out') + 1]!;
    const staged = await strata(['stage', '--raw-root', 'data/01_raw', '--stage-root', 'inferred/stage', '--procedures-yaml', out, '--json']);
    assert.equal(lastJson<{ ok: number }>(staged).ok, runs.length);
  });

  it('stages with the procedures YAML example of docs/procedures.md as given', async () => {
    const example = /<!-- procedures-yaml-example -->\n```yaml\n([\s\S]*?)```/.exec(docPage('procedures.md'))?.[1];
    assert.ok(example);
    writeFileSync(path.join(cwd, 'my-procedures.yml'), example);
    const staged = await strata(['stage', '--raw-root', 'data/01_raw', '--stage-root', 'mine/stage', '--procedures-yaml', 'my-procedures.yml', '--json']);
    // Its one procedure, It, by its entry; the others as procedures it does not know (columns kept, types inferred).
    assert.equal(lastJson<{ ok: number }>(staged).ok, runs.length);
  });

  it('stages and validates with the chip parameters lines as written', async () => {
    const lines = strataExamples('### Chip parameters');
    assert.equal(lines.length, 2);
    for (const args of lines) await strata(args);
  });

  it('serves the lake with the serve line of "Query, derive, serve", from the folder as written', async () => {
    const [serve] = strataExamples('### Query, derive, serve');
    assert.deepEqual(serve, ['serve', '--data-root', 'data']);
    // A free port instead of 8421, and the URL as a JSON line to know which; tsx by its full path, as cwd is the lake's folder.
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI_CHILD, ...serve, '--port', '0', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const overview = (await (await fetch(new URL('/api/overview', url))).json()) as { totals: { runs: number } };
      assert.equal(overview.totals.runs, runs.length, 'the page shows every run of the demo lake');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
