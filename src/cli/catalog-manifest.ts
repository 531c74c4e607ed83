// `--catalog` on the commands that read the manifest: the catalog's runs, written as a manifest file of their own
// for the time the command runs (a snapshot taken now, not the last one a stager wrote), then removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeManifestSnapshot } from '../lake/manifest-snapshot.js';

export interface CatalogManifest {
  readonly file: string;
  /** Where it came from, for messages: host:port/database. */
  readonly where: string;
  close(): void;
}

export async function manifestFromCatalog(url: string, schema?: string): Promise<CatalogManifest> {
  const { openCatalog } = await import('../catalog/open-catalog.js');
  const catalog = await openCatalog(url, { ...(schema === undefined ? {} : { schema }), migrate: false, applicationName: 'strata (reading)' });
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-catalog-'));
  try {
    const file = path.join(dir, 'manifest.parquet');
    await writeManifestSnapshot(file, (write) => catalog.snapshot(write));
    return { file, where: catalog.where, close: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await catalog.close();
  }
}
