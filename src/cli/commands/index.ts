// Every CLI command, one module each, loaded only when its command runs (so `strata history` never loads
// exceljs or pg). main.ts registers them in this order; the key is the command's name.
import type { Command } from 'commander';
import type { CommandContext } from '../io.js';

export type RegisterCommand = (program: Command, context: CommandContext) => void;

export const commands: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  'demo': async () => (await import('./demo.js')).registerDemo,
  'stage': async () => (await import('./stage.js')).registerStage,
  'infer-schema': async () => (await import('./infer-schema.js')).registerInferSchema,
  'ingest': async () => (await import('./ingest.js')).registerIngest,
  'validate': async () => (await import('./validate.js')).registerValidate,
  'load': async () => (await import('./load.js')).registerLoad,
  'transform': async () => (await import('./transform.js')).registerTransform,
  'publish': async () => (await import('./publish.js')).registerPublish,
  'record': async () => (await import('./record.js')).registerRecord,
  'bronze-path': async () => (await import('./bronze-path.js')).registerBronzePath,
  'sample': async () => (await import('./sample.js')).registerSample,
  'validate-manifest': async () => (await import('./validate-manifest.js')).registerValidateManifest,
  'history': async () => (await import('./history.js')).registerHistory,
  'histories': async () => (await import('./histories.js')).registerHistories,
  'inspect-manifest': async () => (await import('./inspect-manifest.js')).registerInspectManifest,
  'export-metadata': async () => (await import('./export-metadata.js')).registerExportMetadata,
  'pipeline': async () => (await import('./pipeline.js')).registerPipeline,
  'query': async () => (await import('./query.js')).registerQuery,
  'parity': async () => (await import('./parity.js')).registerParity,
  'serve': async () => (await import('./serve.js')).registerServe,
};

/** The Python system's command names (design docs 001 s.7, 002 Phase 5), each another name of a strata command. */
export const commandAliases: Readonly<Record<string, string>> = {
  'stage-all': 'stage',
  'build-history': 'history',
  'chip-histories': 'history',
  'build-all-histories': 'histories',
  'full-pipeline': 'pipeline',
};
