// What the main thread and the stage workers say to each other.
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { ChipParams } from '../parse/run-identity.js';
import type { StagedSource } from '../lake/manifest-index.js';
import type { ProcedureSchema } from '../lake/procedure-schemas.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { WorkerOutcome } from './stage-file.js';

export interface WorkerSetup {
  /** The catalog the main thread loaded (plain data and Maps: it crosses to the worker by structured clone). */
  readonly catalog: ProcedureCatalog;
  /** The lab's chip parameters (`--chip-params`), when given. */
  readonly chipParams: ChipParams | undefined;
  readonly options: {
    readonly stageRoot: string;
    readonly extractionVersion: string;
    readonly ingestedAtMs: number;
    readonly force: boolean;
    readonly writesDataFiles: boolean;
    readonly localTz: string;
    readonly strict: boolean;
    readonly onlyYamlData: boolean;
    readonly maxColumns: number;
  };
  readonly schemas: readonly (readonly [string, ProcedureSchema])[];
}

/** A file to stage; `contested` when another file's path differs from it only by letter case (its run id may clash). */
export interface WorkerTask {
  readonly file: RawFile;
  readonly previous: StagedSource | undefined;
  readonly contested: boolean;
}

export type ToWorker =
  | { readonly type: 'setup'; readonly setup: WorkerSetup }
  /** A new work's options with the same catalog and schemas: the procedures are not sent (nor compiled) again. */
  | { readonly type: 'options'; readonly options: WorkerSetup['options'] }
  /** Tasks in batches, as outcomes come back in batches: each message costs a worker the wake-up of the other thread. */
  | { readonly type: 'tasks'; readonly tasks: readonly { readonly id: number; readonly task: WorkerTask }[] }
  | { readonly type: 'schema'; readonly schema: ProcedureSchema }
  | { readonly type: 'claimed'; readonly id: number; readonly ok: boolean };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'outcomes'; readonly outcomes: readonly { readonly id: number; readonly outcome: WorkerOutcome }[] }
  | { readonly type: 'claim'; readonly id: number; readonly runId: string; readonly sourceFile: string };
