// A generated, staged lab lake with `strata serve`'s server on a free port, for the API and browser tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { startServer, type RunningServer } from '../../src/serve/http-server.js';
import { LakeView } from '../../src/serve/lake-view.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';

export interface ServedLake {
  readonly dir: string;
  readonly lake: StagedLake;
  readonly view: LakeView;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export async function serveGeneratedLake(files = 40, dir = mkdtempSync(path.join(os.tmpdir(), 'strata-serve-'))): Promise<ServedLake> {
  const raw = path.join(dir, 'raw');
  await generateLabCorpus({ root: raw, files, seed: 7, badFiles: true });
  const lake = await stageInto(raw, dir);
  const view = await LakeView.open({
    manifestPath: lake.config.manifestPath,
    stageRoot: lake.config.stageRoot,
    rejectsDir: lake.config.rejectsDir,
    catalog: loadProcedureCatalog(lake.config.proceduresYaml),
    localTz: lake.config.localTz,
  });
  const server = await startServer(view, { host: '127.0.0.1', port: 0 });
  return {
    dir,
    lake,
    view,
    server,
    async close() {
      await server.close();
      view.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function getJson(server: RunningServer, route: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(route, server.url));
  return { status: res.status, body: await res.json() };
}
