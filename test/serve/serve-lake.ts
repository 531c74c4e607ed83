// A generated, staged lab lake with `strata serve`'s server on a free port, for the API and browser tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLabCorpus, type GenerateLabCorpusOptions } from '../../src/demo/generate-lab-corpus.js';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { startServer, type RunningServer } from '../../src/serve/http-server.js';
import { LakeView } from '../../src/serve/lake-view.js';
import { MetricsView } from '../../src/serve/metrics-view.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';

export interface ServedLake {
  readonly dir: string;
  readonly lake: StagedLake;
  readonly view: LakeView;
  /** Where the derived metrics are looked for (absent until a test writes them). */
  readonly metricsPath: string;
  readonly server: RunningServer;
  close(): Promise<void>;
}

/** Serves an already staged lake (the manifest and the stage root of `lake`). */
export async function serveLake(dir: string, lake: StagedLake): Promise<ServedLake> {
  const view = await LakeView.open({
    manifestPath: lake.config.manifestPath,
    stageRoot: lake.config.stageRoot,
    rejectsDir: lake.config.rejectsDir,
    catalog: loadProcedureCatalog(lake.config.proceduresYaml),
    localTz: lake.config.localTz,
  });
  const metricsPath = path.join(dir, '03_derived', '_metrics', 'metrics.parquet');
  const server = await startServer({ view, metrics: new MetricsView(view, metricsPath) }, { host: '127.0.0.1', port: 0 });
  return {
    dir,
    lake,
    view,
    metricsPath,
    server,
    async close() {
      await server.close();
      view.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function serveGeneratedLake(
  files = 40,
  dir = mkdtempSync(path.join(os.tmpdir(), 'strata-serve-')),
  corpus: Partial<GenerateLabCorpusOptions> = {},
): Promise<ServedLake> {
  const raw = path.join(dir, 'raw');
  await generateLabCorpus({ root: raw, files, seed: 7, badFiles: true, ...corpus });
  return serveLake(dir, await stageInto(raw, dir));
}

export async function getJson(server: RunningServer, route: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(route, server.url));
  return { status: res.status, body: await res.json() };
}
