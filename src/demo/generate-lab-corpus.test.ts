import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../../test/support/temp-dir.js';
import { projectRoot } from '../version.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';
import {
  BAD_FILE_PROBLEMS,
  LAB_FILE_QUIRKS,
  LAB_PROCEDURES,
  generateLabCorpus,
  renderLabFile,
  type GeneratedCorpus,
  type GeneratedGoodFile,
} from './generate-lab-corpus.js';

interface DataColumnYaml {
  type: string;
  required?: boolean;
  header?: string;
  synonyms?: string[];
}
interface SectionYaml {
  parameters?: Record<string, string>;
  metadata?: Record<string, string>;
  manifest?: Record<string, string | { column: string; type?: string; zero_is_null?: boolean }>;
}
interface ProcedureYaml extends SectionYaml {
  light?: string;
  time_column?: string;
  data: Record<string, DataColumnYaml>;
}
interface ProceduresYaml {
  common: SectionYaml;
  procedures: Record<string, ProcedureYaml>;
}

const yamlFile = parseYaml(readFileSync(SHIPPED_PROCEDURES_YAML, 'utf8')) as ProceduresYaml;

const normalise = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** A deliberately plain reading of a PyMeasure file, independent of strata's own parser. */
function readLabFile(text: string) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sections: Record<string, [string, string][]> = { Parameters: [], Metadata: [] };
  let procedure = '';
  let current = '';
  let at = 0;
  for (; at < lines.length && lines[at]?.startsWith('#'); at++) {
    const entry = (lines[at] as string).slice(1).trim();
    const [key = '', ...rest] = entry.split(': ');
    if (key === 'Procedure' && current === '') procedure = rest.join(': ');
    else if (entry.endsWith(':') && !entry.includes(': ')) current = entry.slice(0, -1);
    else sections[current]?.push([key, rest.join(': ')]);
  }
  const columns = (lines[at] ?? '').split(',');
  const rows = lines.slice(at + 1).filter((l) => l !== '');
  const proc = procedure.replace(/[<>]/g, '').split('.').pop() ?? '';
  return { proc, parameters: sections.Parameters ?? [], metadata: sections.Metadata ?? [], columns, rows };
}

function spellingsOf(column: string, spec: DataColumnYaml): string[] {
  return [column, spec.header ?? '', ...(spec.synonyms ?? [])].filter((s) => s !== '').map(normalise);
}

/** The canonical data column a written column name matches in the procedure's YAML, or undefined. */
function canonicalColumn(proc: ProcedureYaml, written: string): string | undefined {
  return Object.entries(proc.data).find(([column, spec]) => spellingsOf(column, spec).includes(normalise(written)))?.[0];
}

function fitsType(value: string, type: string): boolean {
  const number = value.replace(/\s*[A-Za-z]+$/, '');
  if (type === 'float') return Number.isFinite(Number(number));
  if (type === 'int') return Number.isInteger(Number(number));
  if (type === 'datetime') return Number.isFinite(Number(value)) || !Number.isNaN(Date.parse(value));
  return true;
}

function sha1Tree(root: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    hashes.set(path.relative(root, file), createHash('sha1').update(readFileSync(file)).digest('hex'));
  }
  return hashes;
}

const goodFiles = (corpus: GeneratedCorpus) => corpus.files.filter((f): f is GeneratedGoodFile => f.kind === 'good');

/** Checks one file against the shipped YAML; returns the problems found, as sentences. */
function yamlProblems(relPath: string, text: string): string[] {
  const file = readLabFile(text);
  const proc = yamlFile.procedures[file.proc];
  if (!proc) return [`${relPath}: procedure ${file.proc} is not in config/procedures.yml`];
  const problems: string[] = [];
  for (const [section, key] of [['parameters', 'Parameters'], ['metadata', 'Metadata']] as const) {
    const declared = { ...yamlFile.common[section], ...proc[section] };
    for (const [name, value] of file[section]) {
      const type = declared[name];
      if (!type) problems.push(`${relPath}: ${key} entry "${name}" is not declared for ${file.proc}`);
      else if (!fitsType(value, type)) problems.push(`${relPath}: "${name}: ${value}" does not fit ${type}`);
    }
  }
  const matched = file.columns.map((c) => canonicalColumn(proc, c));
  file.columns.forEach((c, i) => matched[i] === undefined && problems.push(`${relPath}: data column "${c}" is not declared for ${file.proc}`));
  for (const [column, spec] of Object.entries(proc.data)) {
    if (spec.required && !matched.includes(column)) problems.push(`${relPath}: required column ${column} missing`);
  }
  return problems;
}

test('the same seed writes byte-identical corpora and a different seed a different one', async () => {
  const options = { files: 40, seed: 7, badFiles: true, variants: true, rowsPerFile: [20, 60] as const };
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  const first = await generateLabCorpus({ ...options, root: a });
  const second = await generateLabCorpus({ ...options, root: b });
  await generateLabCorpus({ ...options, root: c, seed: 8 });
  assert.deepEqual({ ...second, root: a }, first);
  assert.deepEqual(sha1Tree(b), sha1Tree(a));
  assert.notDeepEqual(sha1Tree(c), sha1Tree(a));
});

test('every file written, quirks included, declares only parameters, metadata and columns the shipped YAML knows', async () => {
  const root = tempDir();
  const corpus = await generateLabCorpus({ root, files: 150, variants: true, rowsPerFile: [10, 40] });
  const procs = new Set(goodFiles(corpus).map((f) => f.proc));
  assert.deepEqual([...procs].sort(), [...LAB_PROCEDURES].sort());
  const problems = goodFiles(corpus).flatMap((f) => yamlProblems(f.relPath, readFileSync(path.join(root, f.relPath), 'utf8')));
  assert.deepEqual(problems, []);
  const quirks = new Set(goodFiles(corpus).flatMap((f) => f.quirks));
  assert.deepEqual([...quirks].sort(), [...LAB_FILE_QUIRKS].sort());
});

test('each column spelling the generator uses matches exactly one canonical column of its procedure', () => {
  for (const proc of LAB_PROCEDURES) {
    const spec = yamlFile.procedures[proc] as ProcedureYaml;
    const spellings = Object.entries(spec.data).flatMap(([column, data]) => [...new Set(spellingsOf(column, data))].map((s) => [s, column] as const));
    const owners = new Map<string, Set<string>>();
    for (const [spelling, column] of spellings) owners.set(spelling, (owners.get(spelling) ?? new Set()).add(column));
    const shared = [...owners].filter(([, columns]) => columns.size > 1).map(([s]) => `${proc}: ${s}`);
    assert.deepEqual(shared, []);
  }
});

test('the records tell a test what each file holds: rows, chip, start time, size and mtime', async () => {
  const root = tempDir();
  const corpus = await generateLabCorpus({ root, files: 60, rowsPerFile: [30, 80] });
  for (const file of goodFiles(corpus)) {
    const absolute = path.join(root, file.relPath);
    const text = readFileSync(absolute, 'utf8');
    const parsed = readLabFile(text);
    const header = new Map([...parsed.parameters, ...parsed.metadata]);
    assert.equal(parsed.proc, file.proc);
    assert.equal(parsed.rows.length, file.dataRows, file.relPath);
    assert.equal(statSync(absolute).size, file.bytes);
    assert.equal(statSync(absolute).mtimeMs, file.mtimeMs);
    assert.ok(file.mtimeMs > file.startTimeUnix * 1000 && file.mtimeMs < Date.now());
    assert.equal(Number(header.get('Start time')), file.startTimeUnix, 'real files carry Unix seconds');
    assert.equal(header.get('Chip number') === undefined ? null : Number(header.get('Chip number')), file.chipNumber);
    assert.equal(header.get('Chip group name') ?? null, file.chipGroup);
    assert.ok(text.includes('\r\n') && !text.startsWith('\uFEFF'), 'as the lab writes them: CRLF, no BOM');
  }
});

test('files are named <Proc><YYYY-MM-DD>_<n>.csv, n counting 1, 2, 3... per procedure and day, in both folder styles', async () => {
  const root = tempDir();
  const corpus = await generateLabCorpus({ root, files: 600, days: 12, rowsPerFile: [5, 10] });
  const indexes = new Map<string, number[]>();
  for (const file of goodFiles(corpus)) {
    const match = /^([^/]+)\/([A-Za-z0-9]+?)(\d{4}-\d{2}-\d{2})_(\d+)\.csv$/.exec(file.relPath);
    assert.ok(match, file.relPath);
    const [, folder = '', proc, date = '', n] = match;
    assert.equal(proc, file.proc);
    assert.ok(folder === date || /^[A-Z][a-z]+_\d{2}_[a-z]+$/.test(folder), folder);
    const key = `${date}/${proc}`;
    indexes.set(key, [...(indexes.get(key) ?? []), Number(n)]);
  }
  for (const [key, ns] of indexes) assert.deepEqual(ns.sort((x, y) => x - y), ns.map((_, i) => i + 1), key);
  const folders = new Set(corpus.files.map((f) => f.relPath.split('/')[0] ?? ''));
  assert.ok([...folders].some((f) => /^\d{4}-\d{2}-\d{2}$/.test(f)) && [...folders].some((f) => f.includes('_')));
  assert.equal(folders.size, 12);
});

test('the bad files are what they say, one of each kind, with proper names beside the good ones', async () => {
  const root = tempDir();
  const corpus = await generateLabCorpus({ root, files: 30, badFiles: true });
  const bad = corpus.files.filter((f) => f.kind === 'bad');
  assert.deepEqual(bad.map((f) => f.problem).sort(), [...BAD_FILE_PROBLEMS].sort());
  const names = new Set(corpus.files.map((f) => f.relPath));
  assert.equal(names.size, corpus.files.length, 'no bad file overwrites another file');
  const bytesOf = (problem: string) => readFileSync(path.join(root, bad.find((f) => f.problem === problem)?.relPath ?? ''));
  const linesOf = (problem: string) => bytesOf(problem).toString('utf8').split('\r\n');
  for (const file of bad) assert.match(file.relPath, /^[^/]+\/It\d{4}-\d{2}-\d{2}_\d+\.csv$/);
  assert.equal(bytesOf('zero-bytes').length, 0);
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytesOf('non-utf8')));
  assert.ok(bytesOf('binary').includes(0), 'a binary file has NUL bytes');
  assert.deepEqual(linesOf('header-only').slice(-2), ['#Data:', '']);
  assert.deepEqual(linesOf('empty-data').slice(-3, -1), ['#Data:', 't (s),I (A),VL (V),Plate T (degC),Ambient T (degC),Clock (ms)']);
  assert.ok(!linesOf('no-data-line').includes('#Data:') && linesOf('no-data-line').some((l) => l.startsWith('t (s),')));
  const truncated = linesOf('truncated-last-line');
  assert.ok((truncated.at(-1) ?? '').split(',').length < 6 && truncated.at(-1) !== '');
  const columns = linesOf('duplicate-columns').find((l) => l.startsWith('t (s),'))?.split(',') ?? [];
  assert.ok(new Set(columns).size < columns.length);
});

test('data are physically plausible: gate sweeps go 0 -> start -> end -> start -> 0, lasers light the middle third, power rises with voltage', () => {
  const ivg = readLabFile(renderLabFile({ proc: 'IVg', seed: 3, rows: 300 }).text);
  const vg = ivg.rows.map((r) => Number(r.split(',')[0]));
  const start = Number(new Map(ivg.parameters).get('VG start')?.split(' ')[0]);
  assert.equal(vg[0], 0);
  assert.equal(vg.at(-1), 0);
  assert.ok(Math.abs(Math.min(...vg) - start) < 1e-9 && Math.abs(Math.max(...vg) + start) < 1e-9);
  const it = renderLabFile({ proc: 'It', seed: 12, rows: 300 });
  const period = Number(new Map(it.parameters).get('Laser ON+OFF period')?.split(' ')[0]);
  const lit = readLabFile(it.text).rows.map((r) => r.split(',').map(Number)).filter((r) => (r[2] ?? 0) > 0).map((r) => r[0] ?? 0);
  if (Number(new Map(it.parameters).get('Laser voltage')?.split(' ')[0]) > 0) assert.ok(lit.length > 0);
  assert.ok(lit.every((t) => t >= period / 2 && t < period));
  assert.ok(Math.abs((it.durationS ?? 0) - 1.5 * period) < period * 0.01);
  const power = readLabFile(renderLabFile({ proc: 'LaserCalibration', seed: 4 }).text).rows.map((r) => Number(r.split(',')[1]));
  assert.equal(power.length, 51);
  assert.ok((power.at(-1) ?? 0) > 1000 * (power[0] ?? 1));
});

test('a rendered file can carry every header quirk at once and still says what it holds', () => {
  const file = renderLabFile({ proc: 'IV', quirks: [...LAB_FILE_QUIRKS], startTimeUnix: 1760371684.3180444 });
  assert.ok(file.text.startsWith('\uFEFF# Procedure: <laser_setup.procedures.IV.IV>\n# Metadata:'));
  assert.ok(!file.text.includes('\r'));
  assert.equal(file.metadata.find(([name]) => name === 'Start time')?.[1], '2025-10-13T13:08:04.318-03:00');
  assert.equal(file.startTimeUnix, 1760371684.318);
  assert.deepEqual(yamlProblems('quirky IV', file.text), []);
});

test('the shipped YAML maps the manifest columns the manifest spec names, each with one type, never over a data column', () => {
  const types = new Map<string, Set<string>>();
  for (const [name, proc] of Object.entries(yamlFile.procedures)) {
    const declared = { ...yamlFile.common.parameters, ...yamlFile.common.metadata, ...proc.parameters, ...proc.metadata };
    const manifest = { ...yamlFile.common.manifest, ...proc.manifest };
    for (const [key, target] of Object.entries(manifest)) {
      const column = typeof target === 'string' ? target : target.column;
      assert.ok(declared[key], `${name}: manifest maps ${key}, which it does not declare`);
      assert.ok(!(column in proc.data), `${name}: ${column} is both a data column and a manifest column`);
      types.set(column, (types.get(column) ?? new Set()).add(declared[key] ?? ''));
    }
    if (proc.time_column) assert.ok(proc.time_column in proc.data, `${name}: time_column ${proc.time_column} is not a data column`);
  }
  for (const [column, set] of types) assert.equal(set.size, 1, `${column} has types ${[...set].join(', ')}`);
  const wanted = 'laser_wavelength_nm laser_voltage_v vds_v vg_v vg_start_v vg_end_v vg_step_v vsd_start_v vsd_end_v vsd_step_v laser_period_s laser_voltage_start_v laser_voltage_end_v laser_voltage_step_v irange_a burn_in_time_s step_time_s target_t_c initial_t_c t_step_start_time_s sampling_time_s nplc n_avg information sample procedure_version optical_fiber sensor_model';
  assert.deepEqual(wanted.split(' ').filter((c) => !types.has(c)), []);
  assert.equal(yamlFile.procedures.LaserCalibration?.light, 'always');
  assert.equal(yamlFile.procedures.Tt?.light, 'never');
});

test('a corpus of 2,000 files is written in full: every file on disk, sizes adding up to the total', async () => {
  const root = tempDir();
  const corpus = await generateLabCorpus({ root, files: 2000, badFiles: true, variants: true, rowsPerFile: [20, 60] });
  const onDisk = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.equal(onDisk.length, 2008);
  assert.equal(onDisk.reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0), corpus.totalBytes);
  assert.ok(corpus.totalBytes > 2000 * 1000 && corpus.totalBytes < 2000 * 20_000, `${corpus.totalBytes} bytes`);
});

const realCorpus = path.join(projectRoot, '..', 'shared', 'corpus', 'lab');
test('the real lab files declare only what the shipped YAML knows (when ../shared/corpus/lab is present)', { skip: !existsSync(realCorpus) }, () => {
  const files = readdirSync(realCorpus, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.csv'));
  assert.equal(files.length, 384);
  const problems = files.flatMap((e) => {
    const file = path.join(e.parentPath, e.name);
    return yamlProblems(path.relative(realCorpus, file), readFileSync(file, 'utf8'));
  });
  assert.deepEqual(problems, []);
});
