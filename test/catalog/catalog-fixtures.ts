// What the catalog's tests share: a scratch database per suite (skipped with a reason when PostgreSQL is down,
// failed instead under STRATA_REQUIRE_PG=1), and valid manifest rows for the versions a test claims.
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { validateManifestRows, type ManifestRow, type ManifestValue } from '../../src/lake/manifest-row.js';
import { runId } from '../../src/lake/run-id.js';
import type { ClaimedVersion } from '../../src/catalog/source-claims.js';
import type { SourceFileVersion } from '../../src/catalog/source-queue.js';
import { openCatalog, type Catalog, type CatalogOptions } from '../../src/catalog/open-catalog.js';
import { manifestRow, TEST_PARAMETERS } from '../history/manifest-fixtures.js';
import { scratchPostgres, type ScratchPostgres } from '../support/scratch-postgres.js';

export { TEST_PARAMETERS };

const required = process.env['STRATA_REQUIRE_PG'] === '1';

/** Why the suite is skipped (PostgreSQL unreachable), or false; under STRATA_REQUIRE_PG=1 never skipped. */
export async function skipWithoutPostgres(scratch: ScratchPostgres): Promise<string | false> {
  if (required) return false;
  const problem = await scratch.unreachable();
  return problem === null ? false : `PostgreSQL is unreachable (${problem}); set STRATA_PG_URL, or STRATA_REQUIRE_PG=1 to fail instead of skipping`;
}

export function scratchCatalogDatabase(): ScratchPostgres {
  return scratchPostgres('strata_catalog');
}

/** Inside a describe: the scratch database made before its tests and dropped after, and the catalogs they open. */
export function scratchCatalogSuite(scratch: ScratchPostgres): ReturnType<typeof catalogs> {
  const opened = catalogs(scratch);
  before(() => scratch.create());
  after(async () => {
    await opened.closeAll();
    await scratch.drop();
  });
  return opened;
}

/** Catalogs opened by a test, closed at its end. */
export function catalogs(scratch: ScratchPostgres) {
  const open: Catalog[] = [];
  return {
    async open(options: CatalogOptions = {}): Promise<Catalog> {
      const catalog = await openCatalog(scratch.url, options);
      open.push(catalog);
      return catalog;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((c) => c.close()));
    },
  };
}

/** `n` source files under `folder`, one version each. */
export function sourceFiles(n: number, folder = '2025-09-04', mtimeMs = 1.7e12): SourceFileVersion[] {
  return Array.from({ length: n }, (_, i) => ({ sourceFile: `${folder}/It${String(i).padStart(5, '0')}.csv`, size: 1000 + i, mtimeMs }));
}

export const sha1Of = (text: string) => createHash('sha1').update(text).digest('hex');

/** The data file an attempt writes: named after the attempt, so two attempts never share one. */
export function attemptPath(proc: string, dateLocal: string, id: string, attemptId: string): string {
  return `proc=${proc}/date=${dateLocal}/run_id=${id}/part-${attemptId}.parquet`;
}

/** A valid manifest row for the run a claimed version stages (start time fixed unless said); `extra` fields are added unchecked. */
export function stagedRow(claimed: ClaimedVersion, options: { readonly start?: string; readonly sha1?: string; readonly extra?: Record<string, ManifestValue> } = {}): ManifestRow {
  const start = options.start ?? '2025-09-04T15:00:00Z';
  const id = runId(claimed.sourceFile, new Date(start));
  const row = {
    ...manifestRow({ start, fileIdx: 1 }),
    run_id: id,
    source_file: claimed.sourceFile,
    path: attemptPath('It', '2025-09-04', id, claimed.attemptId),
    source_size: claimed.size,
    source_mtime_ms: claimed.mtimeMs,
    source_sha1: options.sha1 ?? sha1Of(`${claimed.sourceFile}@${claimed.size}`),
  };
  const { valid, invalid } = validateManifestRows([row], TEST_PARAMETERS);
  if (invalid.length > 0) throw new Error(`fixture row is invalid: ${JSON.stringify(invalid[0]!.issues)}`);
  return { ...valid[0]!, ...options.extra };
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'catalog-child.ts');

/** `catalog-child.ts` in its own node process, with a command; stdout lines are JSON. */
export function spawnCatalogChild(command: Record<string, unknown>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(command)], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Every JSON line the child printed, once it exits; rejects with its stderr when it fails. */
export function childOutput(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: unknown[] }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`catalog child exited ${code}: ${err}`));
      else resolve({ code, signal, lines: out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown) });
    });
  });
}

/** The next JSON line the child prints. */
export function nextLine(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer) => {
      buffer += d.toString();
      const at = buffer.indexOf('\n');
      if (at < 0) return;
      child.stdout!.off('data', onData);
      resolve(JSON.parse(buffer.slice(0, at)) as unknown);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`catalog child exited ${code} before printing`)));
  });
}
