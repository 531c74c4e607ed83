// The whole job on the standard data layout: stage the raw files, then rebuild every chip's history from the manifest.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StagingConfig } from '../config/staging-config.js';
import { openManifest } from '../history/manifest-query.js';
import { allChipHistories } from '../history/chip-history.js';
import { writeHistoriesFolder, type HistoryOutcome } from '../history/histories-folder.js';
import { stageRawFiles, type StageOptions, type StageSummary } from './stage-raw-files.js';

/** The standard layout under a data root (`data/` by default); manifest and rejects sit beside the stage root. */
export interface LabLayout {
  readonly raw: string;
  readonly stageRoot: string;
  readonly history: string;
}

export function labLayout(dataRoot: string): LabLayout {
  return {
    raw: path.join(dataRoot, '01_raw'),
    stageRoot: path.join(dataRoot, '02_stage', 'raw_measurements'),
    history: path.join(dataRoot, '03_history'),
  };
}

export interface PipelineSummary {
  readonly stage: StageSummary;
  readonly histories: readonly HistoryOutcome[];
  readonly historyDir: string;
  readonly seconds: number;
}

export interface PipelineOptions extends StageOptions {
  readonly historyDir: string;
  readonly minExperiments?: number;
}

export async function runLabPipeline(config: StagingConfig, options: PipelineOptions): Promise<PipelineSummary> {
  const started = performance.now();
  const stage = await stageRawFiles(config, options);
  let histories: HistoryOutcome[] = [];
  // Nothing staged yet (all files settling, or all rejected): no manifest, so no histories to write.
  if (existsSync(config.manifestPath)) {
    const manifest = await openManifest(config.manifestPath);
    try {
      const all = await allChipHistories(manifest, { minExperiments: options.minExperiments ?? 1, localTz: config.localTz });
      histories = writeHistoriesFolder(all, options.historyDir);
    } finally {
      manifest.close();
    }
  }
  return { stage, histories, historyDir: options.historyDir, seconds: (performance.now() - started) / 1000 };
}
