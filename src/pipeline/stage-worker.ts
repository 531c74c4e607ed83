// A stage worker thread: stages the files the main thread sends it, one after the other, and sends their outcomes
// back in small batches.
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import { stageFile, type StageFileContext, type WorkerOutcome } from './stage-file.js';
import { ReadBuffer } from './read-raw-file.js';
import { STREAM_ABOVE } from './stage-streamed-file.js';
import type { FromWorker, ToWorker, WorkerSetup, WorkerTask } from './stage-messages.js';

const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const claims = new Map<number, (ok: boolean) => void>();
let nextClaim = 0;

// The context comes in the first message, so a worker can start (and load its modules) before the main thread
// has read the catalog and the manifest.
let ctx: StageFileContext | undefined;
const contextOf = (setup: WorkerSetup): StageFileContext => ({
  ...setup.options,
  ingestedAt: new Date(setup.options.ingestedAtMs),
  catalog: setup.catalog,
  chipParams: setup.chipParams,
  schemas: new Map(setup.schemas),
  readBuffer: new ReadBuffer(STREAM_ABOVE + 1),
  resident: (workerData as { resident?: boolean } | null)?.resident === true,
  claimRunId: (runId, sourceFile) => {
    const id = nextClaim++;
    send({ type: 'claim', id, runId, sourceFile });
    return new Promise((resolve) => claims.set(id, resolve));
  },
});

/** Tasks received and not staged yet, and outcomes not sent yet. */
const queue: { readonly id: number; readonly task: WorkerTask }[] = [];
let outcomes: { readonly id: number; readonly outcome: WorkerOutcome }[] = [];
/**
 * Outcomes go back in batches of this many (or fewer when the queue runs dry). A message costs both threads far
 * more than its bytes (waking the other thread), so many small files go faster in larger batches; a batch twice
 * this size was no faster and held more memory (docs/benchmarks.md).
 */
const OUTCOMES_PER_MESSAGE = 24;
/** Whether a file is being staged or the next one is scheduled. */
let staging = false;

port.on('message', (message: ToWorker) => {
  if (message.type === 'setup') {
    ctx = contextOf(message.setup);
  } else if (ctx === undefined) {
    throw new Error(`a stage worker got '${message.type}' before its setup`);
  } else if (message.type === 'options') {
    ctx = { ...ctx, ...message.options, ingestedAt: new Date(message.options.ingestedAtMs) };
  } else if (message.type === 'schema') {
    ctx.schemas.set(message.schema.proc, message.schema);
  } else if (message.type === 'claimed') {
    claims.get(message.id)?.(message.ok);
    claims.delete(message.id);
  } else {
    queue.push(...message.tasks);
    if (!staging) {
      staging = true;
      setImmediate(stageNext);
    }
  }
});

/** Stages the next queued file, one per turn of the event loop (so new tasks and claim answers are received between files). */
function stageNext(): void {
  const next = queue.shift();
  if (next === undefined || ctx === undefined) {
    staging = false;
    return;
  }
  const { id, task } = next;
  stageFile(task, task.contested ? ctx : { ...ctx, claimRunId: async () => true })
    .catch((error: unknown): WorkerOutcome => ({ kind: 'reject', file: task.file, errorType: 'internal', error: `${task.file.relPath}: ${messageOf(error)}` }))
    .then((outcome) => {
      outcomes.push({ id, outcome });
      if (outcomes.length >= OUTCOMES_PER_MESSAGE || queue.length === 0) {
        send({ type: 'outcomes', outcomes });
        outcomes = [];
      }
      setImmediate(stageNext);
    });
}
send({ type: 'ready' });
