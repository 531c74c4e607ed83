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

export interface CatalogManifestOptions {
  readonly schema?: string | undefined;
  /** Take the snapshot again this often, for as long as the command runs (`strata serve`); once when not given. */
  readonly refreshMs?: number;
  /** Told when a refresh fails (the last snapshot stays in use). */
  readonly onTrouble?: (message: string) => void;
}

export async function manifestFromCatalog(url: string, options: CatalogManifestOptions = {}): Promise<CatalogManifest> {
  const { openCatalog } = await import('../catalog/open-catalog.js');
  const catalog = await openCatalog(url, { ...(options.schema === undefined ? {} : { schema: options.schema }), migrate: false, applicationName: 'strata (reading)' });
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-catalog-'));
  const file = path.join(dir, 'manifest.parquet');
  const snapshot = () => writeManifestSnapshot(file, (write) => catalog.snapshot(write));
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
    void catalog.close();
  };
  try {
    await snapshot();
  } catch (error) {
    close();
    throw error;
  }
  if (options.refreshMs === undefined) {
    await catalog.close();
    return { file, where: catalog.where, close: () => rmSync(dir, { recursive: true, force: true }) };
  }
  let refreshing = false;
  timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    snapshot()
      .catch((error: unknown) => options.onTrouble?.(`the catalog at ${catalog.where} could not be read (${(error as Error).message}); showing the runs as they were`))
      .finally(() => (refreshing = false));
  }, options.refreshMs);
  timer.unref();
  return { file, where: catalog.where, close };
}
