// The hostile corpus of issue 21, end to end: staged, sampled, served, queried and loaded by the real CLI, each
// command in its own process with a fresh HOME, TMPDIR and working folder. Nothing any file holds makes a command
// write outside the roots it was given, run script in the browser, pass 500 MB, or run forever; and the next stage
// run over the same files is a no-op.
//
// What each assertion expects, by item of issue 21 (the branch that fixes it):
//   1  names   a chip group never decides a path: group files are rejects; histories write only in their folder
//   2  serve   no value runs in the page (every page in Chromium), served with a CSP that forbids inline script
//   3  names   procedure names are checked: no proc= folder but a safe name; query's views survive any name
//   4  query   `strata query` writes nothing, reads only the lake, runs one statement
//   5  landed  `strata sample` samples nothing outside the bronze root (absolute, ../, links)
//   6  parse   a link in the raw root is never followed
//   7  names   past 1,000 data columns a file is a reject; schemas.json never grows with it; stage finishes, twice
//   8  landed  an .xlsx zip bomb is refused under 500 MB
//   9  query   a 10,000,000-row result streams to --out under 500 MB
//  11  landed  a catastrophic file_pattern on a crafted name cannot hang ingest
//  12  landed, serve   a NUL byte in a log path is a bad line; /api/runs?date=2025-13-45 is a 400
//  13  parse, names   no file is skipped unsaid (..csv), every good file is staged
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, sqlLiteral, type Row } from '../../src/engine/duckdb.js';
import { tempDir } from '../support/temp-dir.js';
import { browseEveryPage, browserSkip } from './browse-every-page.js';
import { OUTSIDE_MARK } from './hostile-values.js';
import { makeHostileCorpus, type HostileCorpus } from './make-hostile-corpus.js';
import { describeRun, runMeasured, startMeasured, type MeasuredRun } from './measured-run.js';
import { changedPaths, isUnder, snapshot } from './sandbox-changes.js';

const PEAK_LIMIT = 500 * 1024 * 1024;
const REPO_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** One command as it ran: where it was allowed to write, and every path it made, changed or removed. */
interface Step {
  readonly name: string;
  /** The issue 21 items its time and memory protect. */
  readonly items: readonly number[];
  readonly run: MeasuredRun;
  readonly roots: readonly string[];
  readonly changed: readonly string[];
}

describe('the hostile corpus, staged, sampled, served, queried and loaded (issue 21)', () => {
  let sandbox: string;
  let corpus: HostileCorpus;
  let env: Record<string, string>;
  let cwd: string;
  /** The lake's folders, deep enough in the sandbox that a name climbing six folders still lands inside it. */
  let lake: { stageRoot: string; manifest: string; manifestDir: string; rejects: string; histories: string; metadata: string };
  let cache: string;
  let samples: string;
  let queryOut: string;
  const steps: Step[] = [];

  before(async () => {
    sandbox = tempDir('strata-hostile-');
    // The CLI runs from source, and its worker threads load tsx from their working folder's node_modules.
    symlinkSync(REPO_NODE_MODULES, path.join(sandbox, 'node_modules'));
    corpus = await makeHostileCorpus(path.join(sandbox, 'corpus'));
    const deep = path.join(sandbox, 'w', '1', '2', '3', '4', '5', '6');
    const stage = path.join(deep, 'lake', '02_stage');
    lake = {
      stageRoot: path.join(stage, 'raw_measurements'),
      manifest: path.join(stage, '_manifest', 'manifest.parquet'),
      manifestDir: path.join(stage, '_manifest'),
      rejects: path.join(stage, '_rejects'),
      histories: path.join(deep, 'lake', '03_history'),
      metadata: path.join(deep, 'lake', 'metadata'),
    };
    samples = path.join(deep, 'samples');
    queryOut = path.join(deep, 'query-out');
    for (const dir of [stage, path.join(sandbox, 'home'), path.join(sandbox, 'tmp'), path.join(sandbox, 'cwd'), queryOut]) mkdirSync(dir, { recursive: true });
    cwd = path.join(sandbox, 'cwd');
    env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: path.join(sandbox, 'home'), TMPDIR: path.join(sandbox, 'tmp'), LANG: 'C.UTF-8' };
    cache = path.join(sandbox, 'home', '.cache');
  });

  /** The sandbox as a command leaves it, but for tsx's cache of compiled sources (in TMPDIR: the harness's, not strata's). */
  const sandboxNow = () => snapshot(sandbox, [path.join(sandbox, 'tmp', `tsx-${process.getuid?.() ?? os.userInfo().username}`)]);

  /** Runs `strata ARGS` in its own process and records what it changed under the sandbox. */
  async function step(name: string, items: readonly number[], args: readonly string[], roots: readonly string[], timeoutMs: number): Promise<Step> {
    const before = sandboxNow();
    const run = await runMeasured(args, { cwd, env, timeoutMs });
    const done: Step = { name, items, run, roots, changed: changedPaths(before, sandboxNow()) };
    steps.push(done);
    return done;
  }

  /** The paths a step changed outside the roots it was given. */
  const outsideRoots = (s: Step) => s.changed.filter((file) => !s.roots.some((root) => isUnder(file, root)));

  const stageArgs = () => ['stage', '--raw-root', corpus.raw, '--stage-root', lake.stageRoot, '--settle', '0', '--workers', '2', '--json'];
  const stageRoots = () => [lake.stageRoot, lake.manifestDir, lake.rejects, cache];
  let firstStage: Step;

  it('stage: writes only under the stage root, _manifest, _rejects and its cache, whatever the chip groups and procedures (items 1, 3)', async () => {
    firstStage = await step('stage', [7], stageArgs(), stageRoots(), 240_000);
    assert.deepEqual(outsideRoots(firstStage), [], describeRun(firstStage.run));
    assert.equal(existsSync(corpus.escaped), false, `${corpus.escaped} was made`);
  });

  it('stage: every good file is staged, every file that must be rejected is, and no file is skipped unsaid (items 1, 2, 3, 7, 13)', async () => {
    const staged = new Set(await manifestSources(lake.manifest));
    const rejected = new Set(rejectSources(lake.rejects));
    const wrong: string[] = [];
    for (const entry of corpus.rawEntries) {
      const where = staged.has(entry.relPath) ? 'staged' : rejected.has(entry.relPath) ? 'rejected' : 'neither staged nor rejected';
      const expected = { good: ['staged'], reject: ['rejected'], hostile: ['staged', 'rejected'], link: ['neither staged nor rejected'], ignored: ['neither staged nor rejected'] }[entry.kind];
      if (!expected.includes(where)) wrong.push(`${JSON.stringify(entry.relPath)} (${entry.what}; item ${entry.items.join(', ')}): ${where}, expected ${expected.join(' or ')}`);
    }
    assert.deepEqual(wrong, [], describeRun(firstStage.run));
    assert.equal(firstStage.run.code, 0, describeRun(firstStage.run));
  });

  it('stage: a link is never followed; nothing outside the raw root is staged (item 6)', async () => {
    assert.ok(existsSync(lake.manifest), `the stage run wrote no manifest: ${describeRun(firstStage.run)}`);
    const rows = await queryManifest<{ n: number }>(lake.manifest, `SELECT count(*)::INT AS n FROM MANIFEST WHERE information = ${sqlLiteral(OUTSIDE_MARK)} OR chip_group = 'Outside'`);
    assert.equal(rows[0]?.n, 0, 'a run of a file outside the raw root is in the manifest');
  });

  it('stage: the lake holds only proc=<name>/date=<day>/run_id=<id>/part-000.parquet, and no procedure grows past 1,000 data columns (items 3, 7)', () => {
    const strays = readdirSync(lake.stageRoot, { recursive: true, withFileTypes: true })
      .map((entry) => path.relative(lake.stageRoot, path.join(entry.parentPath, entry.name)))
      .filter((rel) => !/^proc=[\p{L}\p{N}][\p{L}\p{N}_.+-]*(\/date=\d{4}-\d{2}-\d{2}(\/run_id=[0-9a-f]{16}(\/part-000\.parquet)?)?)?$/u.test(rel));
    assert.deepEqual(strays, [], 'files or folders in the lake that a checked name cannot make');
    const schemas = JSON.parse(readFileSync(path.join(lake.manifestDir, 'schemas.json'), 'utf8')) as { procedures: Record<string, { columns: { origin: string }[] }> };
    const wide = Object.entries(schemas.procedures)
      .map(([proc, s]) => [proc, s.columns.filter((c) => c.origin !== 'run').length] as const)
      .filter(([, data]) => data > 1_000);
    assert.deepEqual(wide, [], 'procedures whose schema took the columns of a file past the limit');
  });

  it('stage again over the same files: stages and rejects nothing, changes no data file, manifest or schema, and finishes (item 7)', async () => {
    const again = await step('stage again', [7], stageArgs(), stageRoots(), 120_000);
    assert.equal(again.run.code, 0, describeRun(again.run));
    const summary = lastJson(again.run);
    assert.deepEqual({ ok: summary['ok'], rejected: summary['rejected'] }, { ok: 0, rejected: 0 }, describeRun(again.run));
    const events = path.join(lake.manifestDir, 'events');
    assert.deepEqual(again.changed.filter((file) => !isUnder(file, events)), [], 'a re-run changed more than the event history');
  });

  it('histories, export-metadata and validate-manifest write only where they are told, whatever the chip groups (item 1)', async () => {
    const histories = await step('histories', [], ['histories', '--manifest', lake.manifest, '--out-dir', lake.histories, '--json'], [lake.histories], 60_000);
    assert.equal(histories.run.code, 0, describeRun(histories.run));
    assert.deepEqual(outsideRoots(histories), [], describeRun(histories.run));
    const names = readdirSync(lake.histories).filter((name) => !/^[\p{L}\p{N}][\p{L}\p{N}_.+-]*_history\.csv$/u.test(name));
    assert.deepEqual(names, [], 'history files named by an unchecked chip group');
    const metadata = await step('export-metadata', [], ['export-metadata', '--manifest', lake.manifest, '--out-dir', lake.metadata, '--json'], [lake.metadata], 60_000);
    assert.equal(metadata.run.code, 0, describeRun(metadata.run));
    assert.deepEqual(outsideRoots(metadata), [], describeRun(metadata.run));
    const validation = await step('validate-manifest', [], ['validate-manifest', '--manifest', lake.manifest, '--raw-root', corpus.raw, '--json'], [], 60_000);
    assert.ok(validation.run.code === 0 || validation.run.code === 1, describeRun(validation.run));
    assert.deepEqual(outsideRoots(validation), [], describeRun(validation.run));
  });

  it('sample: writes only in the samples folder, samples nothing outside the bronze root, and a second run writes nothing (items 5, 12)', async () => {
    const args = ['sample', '--log', corpus.bronze.log, '--samples-dir', samples, '--once', '--json'];
    const first = await step('sample', [], args, [samples], 60_000);
    assert.equal(first.run.stopped, null, describeRun(first.run));
    assert.deepEqual(outsideRoots(first), [], describeRun(first.run));
    const leaked = readdirSync(samples).filter((name) => {
      const text = readFileSync(path.join(samples, name), 'latin1');
      return /^(passwd|hostname|secret)/.test(name) || text.includes(OUTSIDE_MARK) || text.includes(systemText('/etc/passwd')) || text.includes(systemText('/etc/hostname'));
    });
    assert.deepEqual(leaked, [], 'samples of files outside the bronze root');
    assert.doesNotMatch(first.run.stderr, /ERR_INVALID_ARG|null bytes|\bat .*\.ts:\d+/, 'a NUL byte in a log path shows an internal error (item 12)');
    const second = await step('sample again', [], args, [samples], 60_000);
    assert.deepEqual(second.changed, [], 'a second run over the same log wrote');
  });

  /** `strata query` on the hostile lake, with its views; `SELECT 1` answering is what the query items need first (item 3). */
  const queryArgs = (...rest: string[]) => ['query', '--stage-root', lake.stageRoot, '--manifest', lake.manifest, '--format', 'csv', ...rest];
  const queryAnswers = () => steps.some((s) => s.name === 'query SELECT 1' && s.run.code === 0);

  it('query: the views survive every stored name; SELECT 1 and the runs view answer (item 3)', async () => {
    const one = await step('query SELECT 1', [], queryArgs('SELECT 1 AS one'), [], 60_000);
    assert.equal(one.run.code, 0, describeRun(one.run));
    assert.match(one.run.stdout, /^one\r?\n1\r?\n/);
    const runs = await step('query runs', [], queryArgs('SELECT count(*) AS n FROM runs'), [], 60_000);
    assert.equal(runs.run.code, 0, describeRun(runs.run));
    const [{ n }] = (await queryManifest<{ n: number }>(lake.manifest, 'SELECT count(*)::INT AS n FROM MANIFEST')) as [{ n: number }];
    assert.match(runs.run.stdout, new RegExp(`^n\\r?\\n${n}\\r?\\n`), 'the runs view is the manifest');
  });

  it('query: writes nothing, reads nothing outside the lake, runs one statement (item 4)', async () => {
    assert.ok(queryAnswers(), 'strata query answers nothing on this lake (item 3), so what it refuses says nothing');
    const escaped = corpus.escaped;
    const secret = path.join(corpus.outside, 'It_outside.csv');
    const rawFile = corpus.rawEntries.find((e) => e.kind === 'good')!.relPath;
    const attempts: readonly [string, string][] = [
      ['COPY TO', `COPY (SELECT 42) TO ${sqlLiteral(path.join(escaped, 'copy.csv'))}`],
      ['ATTACH', `ATTACH ${sqlLiteral(path.join(escaped, 'attached.duckdb'))} AS x`],
      ['two statements', `SELECT 1; COPY (SELECT 42) TO ${sqlLiteral(path.join(escaped, 'second.csv'))}`],
      ['read_text /etc/hostname', `SELECT * FROM read_text('/etc/hostname')`],
      ['read_csv outside', `SELECT * FROM read_csv(${sqlLiteral(secret)}, header = false, all_varchar = true)`],
      ['read_text raw', `SELECT * FROM read_text(${sqlLiteral(path.join(corpus.raw, rawFile))})`],
    ];
    const failures: string[] = [];
    for (const [what, sql] of attempts) {
      const attempt = await step(`query ${what}`, [], queryArgs(sql), [], 60_000);
      const showed = attempt.run.stdout.includes(OUTSIDE_MARK) || attempt.run.stdout.includes('#Procedure') || (systemText('/etc/hostname') !== '' && attempt.run.stdout.includes(systemText('/etc/hostname')));
      if (attempt.run.code === 0 || showed) failures.push(`${what}: ${describeRun(attempt.run)}; stdout ${JSON.stringify(attempt.run.stdout.slice(0, 200))}`);
      if (attempt.changed.length > 0) failures.push(`${what} wrote ${attempt.changed.join(', ')}`);
    }
    assert.deepEqual(failures, []);
  });

  it('query: a 10,000,000-row result streams to --out (item 9)', async () => {
    assert.ok(queryAnswers(), 'strata query answers nothing on this lake (item 3)');
    const out = path.join(queryOut, 'big.csv');
    const big = await step('query 10M rows', [9], queryArgs('--out', out, 'SELECT i FROM range(10000000) t(i)'), [queryOut], 300_000);
    assert.equal(big.run.code, 0, describeRun(big.run));
    assert.deepEqual(outsideRoots(big), [], describeRun(big.run));
    assert.ok(statSync(out).size > 70_000_000, `${out} holds ${statSync(out).size} bytes`);
  });

  it('serve: every page of the hostile lake runs no script in Chromium; the API refuses a bad date; it writes nothing (items 2, 12)', { skip: browserSkip }, async () => {
    const before = sandboxNow();
    const serve = startMeasured(['serve', '--manifest', lake.manifest, '--stage-root', lake.stageRoot, '--port', '0', '--json'], { cwd, env, timeoutMs: 600_000 });
    let run: MeasuredRun | undefined;
    try {
      const { url } = JSON.parse(await serve.firstLine()) as { url: string };
      const page = await fetch(url);
      const policy = page.headers.get('content-security-policy') ?? '';
      const badDate = await fetch(new URL('/api/runs?date=2025-13-45', url));
      const browsed = await browseEveryPage(url, 400);
      run = await serve.stop('SIGTERM');
      const served: Step = { name: 'serve', items: [], run, roots: [], changed: changedPaths(before, sandboxNow()) };
      steps.push(served);
      assert.deepEqual(served.changed, [], 'serve wrote');
      assert.ok(browsed.visited.length > 3, `only ${browsed.visited.join(', ')} visited`);
      assert.deepEqual(browsed.ran.slice(0, 40), [], `${browsed.ran.length} things ran or were planted, in ${browsed.visited.length} pages`);
      assert.match(policy, /script-src[^;]*'self'|default-src[^;]*'self'/, `the page's Content-Security-Policy: ${JSON.stringify(policy)}`);
      assert.doesNotMatch(policy, /'unsafe-inline'[^;]*;|script-src[^;]*'unsafe-inline'/, 'the policy allows inline script');
      assert.equal(badDate.status, 400, '/api/runs?date=2025-13-45 (item 12)');
      assert.deepEqual(browsed.broken.slice(0, 40), [], `${browsed.broken.length} pages or requests broken by a stored name (items 1, 3), in ${browsed.visited.length} pages`);
      if (browsed.refused.length > 0) process.stderr.write(`# serve: the API refused ${browsed.refused.length} requests the page made: ${browsed.refused.slice(0, 8).join('; ')}\n`);
    } finally {
      run ??= await serve.stop('SIGKILL');
    }
    assert.equal(run.code, 0, describeRun(run));
  });

  /** The landed flow's commands, on the corpus's data root: they may write its stage/ and its database only. */
  const landedFlags = () => ['--datasets', corpus.landed.datasetsYaml, '--data-root', corpus.landed.dataRoot, '--json'];
  const landedRoots = () => ['stage', 'strata.duckdb', 'strata.duckdb.wal', 'strata.duckdb.tmp'].map((name) => path.join(corpus.landed.dataRoot, name));

  it('ingest: a catastrophic file_pattern and a crafted name cannot hang it; it writes only its database (item 11)', async () => {
    const ingest = await step('ingest', [11], ['ingest', ...landedFlags()], landedRoots(), 60_000);
    assert.equal(ingest.run.stopped, null, describeRun(ingest.run));
    assert.deepEqual(outsideRoots(ingest), [], describeRun(ingest.run));
  });

  it('validate: both zip bombs are refused with a sentence under 500 MB, the good months are cleaned, the run goes on (items 8, 11)', async () => {
    const validate = await step('validate', [8, 11], ['validate', ...landedFlags()], landedRoots(), 60_000);
    assert.equal(validate.run.stopped, null, describeRun(validate.run));
    assert.ok((validate.run.peakRssBytes ?? Infinity) < PEAK_LIMIT, describeRun(validate.run));
    assert.deepEqual(outsideRoots(validate), [], describeRun(validate.run));
    assert.equal(validate.run.code, 1, `the bombs are refused, and the exit code says so: ${describeRun(validate.run)}`);
    const cleaned = path.join(corpus.landed.dataRoot, 'stage', 'cleaned');
    for (const file of ['citizens/2024-01.parquet', 'crafted/2024-07.parquet']) assert.ok(existsSync(path.join(cleaned, file)), `${file} was cleaned: ${describeRun(validate.run)}`);
    for (const file of ['citizens/2024-02.parquet', 'citizens/2024-03.parquet']) assert.equal(existsSync(path.join(cleaned, file)), false, `${file}, a bomb, was cleaned`);
  });

  it('load: the good months load into the stage database, written only there', async () => {
    const loads = [
      await step('load citizens', [], ['load', '--dataset', 'citizens', '--period', '2024-01', ...landedFlags()], landedRoots(), 60_000),
      await step('load crafted', [], ['load', '--dataset', 'crafted', '--period', '2024-07', ...landedFlags()], landedRoots(), 60_000),
    ];
    for (const load of loads) {
      assert.equal(load.run.code, 0, describeRun(load.run));
      assert.deepEqual(outsideRoots(load), [], describeRun(load.run));
    }
  });

  it('every command finished by itself, under 500 MB (items 7, 8, 9, 11)', () => {
    const over = steps
      .filter((s) => s.run.stopped !== null || s.run.peakRssBytes === null || s.run.peakRssBytes >= PEAK_LIMIT)
      .map((s) => `${s.name}${s.items.length > 0 ? ` (item ${s.items.join(', ')})` : ''}: ${describeRun(s.run)}`);
    assert.deepEqual(over, []);
  });

  it('no command made the folder that climbing names lead to (items 1, 3, 5)', () => {
    assert.equal(existsSync(corpus.escaped), false, `${corpus.escaped} was made`);
  });

  after(() => {
    for (const s of steps) process.stderr.write(`# ${s.name}: ${s.run.seconds.toFixed(1)} s, peak ${Math.round((s.run.peakRssBytes ?? 0) / 1048576)} MB, exit ${s.run.code ?? s.run.signal}${s.run.stopped ? ` (stopped: ${s.run.stopped})` : ''}\n`);
  });
});

function lastJson(run: MeasuredRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? 'null') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A system file's first line (to tell whether a command showed it), or '' when there is none. */
function systemText(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
  } catch {
    return '';
  }
}

async function queryManifest<T extends Row>(manifest: string, sql: string): Promise<T[]> {
  if (!existsSync(manifest)) return [];
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    return await conn.all<T>(sql.replaceAll('MANIFEST', `read_parquet(${sqlLiteral(manifest)})`));
  } finally {
    engine.close();
  }
}

async function manifestSources(manifest: string): Promise<string[]> {
  return (await queryManifest<{ source_file: string }>(manifest, 'SELECT source_file FROM MANIFEST')).map((r) => r.source_file);
}

function rejectSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => (JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { source_file: string }).source_file);
}
