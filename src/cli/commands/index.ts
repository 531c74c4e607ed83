// Every CLI command, one module each; main.ts registers them in this order.
import type { Command } from 'commander';
import type { CommandContext } from '../io.js';
import { registerStage } from './stage.js';
import { registerDemo } from './demo.js';
import { registerInferSchema } from './infer-schema.js';
import { registerIngest } from './ingest.js';
import { registerValidate } from './validate.js';
import { registerLoad } from './load.js';
import { registerTransform } from './transform.js';
import { registerPublish } from './publish.js';
import { registerRecord } from './record.js';
import { registerBronzePath } from './bronze-path.js';
import { registerSample } from './sample.js';
import { registerValidateManifest } from './validate-manifest.js';
import { registerHistory } from './history.js';
import { registerHistories } from './histories.js';
import { registerInspectManifest } from './inspect-manifest.js';
import { registerExportMetadata } from './export-metadata.js';
import { registerPipeline } from './pipeline.js';

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const commands: readonly RegisterCommand[] = [
  registerDemo,
  registerStage,
  registerInferSchema,
  registerIngest,
  registerValidate,
  registerLoad,
  registerTransform,
  registerPublish,
  registerRecord,
  registerBronzePath,
  registerSample,
  registerValidateManifest,
  registerHistory,
  registerHistories,
  registerInspectManifest,
  registerExportMetadata,
  registerPipeline,
];
