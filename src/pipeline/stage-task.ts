// What staging one file takes and gives: the task, the worker's context, and the outcome sent back.
import type { RawFile } from '../discover/discover-raw-files.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import type { StagedSource } from '../lake/manifest-index.js';
import type { LakeColumn, ProcedureSchema } from '../lake/procedure-schemas.js';
import type { RejectKind } from '../lake/reject-records.js';
import type { PlanOptions } from './plan-run.js';
import type { ReadBuffer } from './read-raw-file.js';

export type FileOutcome =
  | {
      readonly kind: 'ok';
      readonly file: RawFile;
      readonly row: ManifestRow;
      readonly warnings: readonly string[];
      /**
       * The file's columns the YAML does not declare, typed as in the schema its data file was written with: its
       * procedure's schema takes those it lacks, once the run is accepted (only an accepted run changes a schema).
       */
      readonly added: readonly LakeColumn[];
    }
  /** The same bytes as the staged run (only the mtime moved): nothing to redo. */
  | { readonly kind: 'skipped'; readonly file: RawFile }
  | { readonly kind: 'reject'; readonly file: RawFile; readonly errorType: RejectKind; readonly error: string };

/**
 * What a worker sends back: for a run to stage, its data file (bytes, or a finished temp file), which the main thread writes and
 * publishes once the run's manifest row passes the model (publish-run.ts). The message copies them (handing the
 * memory over instead was slower on the shared corpus: every buffer then freed by another thread).
 */
export type WorkerOutcome = Exclude<FileOutcome, { kind: 'ok' }> | (Extract<FileOutcome, { kind: 'ok' }> & { readonly data: RunData });

/**
 * A staged run's data file: its bytes (the catalog stager names each attempt's file itself), or a finished file the
 * worker wrote under a hidden temp name, which the main thread renames into place or removes: `written` beside its
 * final name, in the run's folder (a local stage run); `spooled` in the stage root (a streamed file).
 */
export type RunData =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'written'; readonly path: string }
  | { readonly kind: 'spooled'; readonly path: string };

export interface StageTask {
  readonly file: RawFile;
  readonly previous: StagedSource | undefined;
}

export interface StageFileContext extends PlanOptions {
  readonly catalog: ProcedureCatalog;
  readonly stageRoot: string;
  readonly extractionVersion: string;
  readonly ingestedAt: Date;
  readonly force: boolean;
  /**
   * The worker writes each run's data file in its run's folder (a local stage root): the folders and files are made
   * on the workers' threads, and the main thread, the busiest at scale, only renames them.
   */
  readonly writesDataFiles: boolean;
  /** The procedures' schemas as this worker knows them; a file with new columns extends its entry. */
  readonly schemas: Map<string, ProcedureSchema>;
  /** Takes a run id for a source file; false when another file already owns it. */
  readonly claimRunId: (runId: string, sourceFile: string) => Promise<boolean>;
  /** The worker's reading buffer, reused file after file; without it each file is read into a buffer of its own. */
  readonly readBuffer?: ReadBuffer;
  /** Whether this is a resident stager's worker: a thread it starts holds the process's heaps again (resident-memory.ts). */
  readonly resident?: boolean;
  /** When and how a file is streamed rather than read whole (defaults: stage-streamed-file.ts). */
  readonly streaming?: StreamingOptions;
}

/** When a file is streamed rather than read whole, and in what pieces. */
export interface StreamingOptions {
  /** Files larger than this many bytes are streamed. */
  readonly above: number;
  /** The bytes read at a time (the buffer grows for a longer line). */
  readonly chunkBytes: number;
  /** Rows per row group of a streamed file's Parquet. */
  readonly rowGroupRows: number;
}
