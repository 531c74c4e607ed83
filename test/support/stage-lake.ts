// Stages a raw folder into a fresh lake inside a temp dir, with the shipped procedures YAML.
import path from 'node:path';
import { loadStagingConfig, type StagingConfig } from '../../src/config/staging-config.js';
import { stageRawFiles, type StageSummary } from '../../src/pipeline/stage-raw-files.js';

export interface StagedLake {
  readonly config: StagingConfig;
  readonly summary: StageSummary;
}

export function lakeConfig(rawRoot: string, lakeRoot: string, flags: Parameters<typeof loadStagingConfig>[0]['flags'] = {}): StagingConfig {
  return loadStagingConfig({
    flags: { rawRoot, stageRoot: path.join(lakeRoot, 'stage'), settleSeconds: 0, workers: 2, ...flags },
    env: {},
    cwd: lakeRoot,
  });
}

export async function stageInto(rawRoot: string, lakeRoot: string, flags: Parameters<typeof lakeConfig>[2] = {}): Promise<StagedLake> {
  const config = lakeConfig(rawRoot, lakeRoot, flags);
  return { config, summary: await stageRawFiles(config) };
}
