// The validate-manifest report for people: findings grouped by kind, a sentence each, the first few of each kind.
import type { ManifestFinding, ManifestValidation } from './validate-manifest.js';

const TITLES: Readonly<Record<ManifestFinding['kind'], string>> = {
  missing_column: 'columns missing from the manifest',
  column_type: 'columns of the wrong type',
  duplicate_run_id: 'run ids listed more than once',
  schema_violation: 'values breaking the manifest rules',
  null_required: 'required columns with empty values',
  missing_parquet: 'runs whose Parquet file does not exist',
  unreadable_parquet: 'runs whose Parquet file cannot be read',
  row_count_mismatch: 'runs whose row count disagrees with their Parquet file',
  run_not_in_manifest: 'runs on disk that the manifest does not list',
  source_gone: 'runs whose raw file is gone from the raw root',
  unexpected_procedure: 'runs of a procedure their chip is not expected to be measured with',
  unsafe_name: "runs whose names cannot be part of a folder or file name (staged before strata checked names: fix the name in the file's header and stage it again)",
};

export function describeFinding(f: ManifestFinding): string {
  switch (f.kind) {
    case 'missing_column':
      return `column ${f.column} (${f.expected}) is missing`;
    case 'column_type':
      return `column ${f.column} is ${f.actual}, expected ${f.expected}`;
    case 'duplicate_run_id':
      return `run ${f.runId} appears ${f.count} times`;
    case 'schema_violation':
      return `run ${f.runId ?? '(no run id)'}: ${f.column}: ${f.message}`;
    case 'null_required':
      return `${f.column} is empty in ${f.count} row(s)`;
    case 'missing_parquet':
      return `run ${f.runId}: ${f.path} does not exist`;
    case 'unreadable_parquet':
      return `run ${f.runId}: ${f.path}: ${f.message}`;
    case 'row_count_mismatch':
      return `run ${f.runId}: the manifest says ${f.manifestRows} rows, ${f.path} has ${f.parquetRows}`;
    case 'run_not_in_manifest':
      return `run ${f.runId} is on disk at ${f.folder} but not in the manifest`;
    case 'source_gone':
      return `run ${f.runId}: its raw file ${f.sourceFile} is no longer under the raw root (deleted, or moved outside it)`;
    case 'unsafe_name':
      return `run ${f.runId ?? '(no run id)'}: ${f.column} ${JSON.stringify(f.value.length > 80 ? `${f.value.slice(0, 80)}…` : f.value)}: ${f.message}`;
    case 'unexpected_procedure':
      return `run ${f.runId}: chip ${f.chip} was measured with ${f.proc}, but the chip parameters expect only ${f.expected.join(', ')}`;
  }
}

/** Counts per kind, for the --json summary. */
export function countFindings(findings: readonly ManifestFinding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}

export function formatValidationReport(validation: ManifestValidation, perKind = 10): string {
  const head = `manifest ${validation.manifest}: ${validation.runs} runs; stage root ${validation.stageRoot}`;
  if (validation.findings.length === 0) return `${head}\nno problems found\n`;
  const lines = [head, `${validation.findings.length} problem(s):`];
  for (const kind of Object.keys(TITLES) as ManifestFinding['kind'][]) {
    const found = validation.findings.filter((f) => f.kind === kind);
    if (found.length === 0) continue;
    lines.push('', `${TITLES[kind]} (${found.length}):`, ...found.slice(0, perKind).map((f) => `  - ${describeFinding(f)}`));
    if (found.length > perKind) lines.push(`  ... and ${found.length - perKind} more (--json lists them all)`);
  }
  return `${lines.join('\n')}\n`;
}
