// Does a landed file belong to a dataset? Its name (with a real period), its place under landed/, its headers.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { datasetsLayout } from './datasets-layout.js';
import { matchLandedFile, type DatasetRule, type DatasetRules } from './dataset-rules.js';
import { readLandedFile, type LandedTable } from './read-landed-file.js';

export type LandedCheck =
  | { readonly ok: true; readonly dataset: DatasetRule; readonly period: string; readonly table: LandedTable }
  | { readonly ok: false; readonly dataset: DatasetRule | null; readonly period: string | null; readonly reason: string };

/** Checks the file in place; on success the caller reads (or closes) `table`. */
export async function checkLandedFile(file: string, rules: DatasetRules, dataRoot: string): Promise<LandedCheck> {
  const refuse = (reason: string, dataset: DatasetRule | null = null, period: string | null = null): LandedCheck => ({ ok: false, dataset, period, reason });
  const landed = datasetsLayout(dataRoot).landed;
  const relative = path.relative(landed, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return refuse(`${file} is not under ${landed}; files are checked where they land, not copied`);
  }
  const match = matchLandedFile(rules, file);
  if (!match.ok) return refuse(match.reason, match.dataset ?? null);
  const { dataset, period } = match;
  const read = await readLandedFile(file, dataset.sheet === undefined ? {} : { sheet: dataset.sheet });
  if (!read.ok) return refuse(read.reason, dataset, period);
  const problem = headerProblem(read.table.headers, dataset);
  if (problem !== null) {
    read.table.close();
    return refuse(`${path.basename(file)}: ${problem}`, dataset, period);
  }
  return { ok: true, dataset, period, table: read.table };
}

function headerProblem(headers: readonly string[], dataset: DatasetRule): string | null {
  const missing = dataset.requiredHeaders.filter((h) => !headers.includes(h));
  if (missing.length > 0) {
    return `the header lacks ${missing.map((h) => `'${h}'`).join(', ')}, required by dataset '${dataset.name}' (found ${headers.map((h) => `'${h}'`).join(', ')})`;
  }
  const declared = new Set(dataset.columns.map((c) => c.name));
  const unknown = headers.filter((h) => !declared.has(h));
  if (unknown.length > 0) {
    return `the header has ${unknown.map((h) => JSON.stringify(h)).join(', ')}, not a column of dataset '${dataset.name}' (expected some of ${[...declared].join(', ')})`;
  }
  return null;
}

/** Every file under landed/, recursively and sorted, hidden files and folders skipped: what `ingest` checks by default. */
export async function listLandedFiles(dataRoot: string): Promise<string[]> {
  const root = datasetsLayout(dataRoot).landed;
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !path.relative(root, file).split(path.sep).some((part) => part.startsWith('.')))
    .sort();
}
