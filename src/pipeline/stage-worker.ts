// A stage worker thread: stages the files the main thread sends it, one outcome message per file.
import { parentPort } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import { stageFile, type StageFileContext } from './stage-file.js';
import type { FromWorker, ToWorker, WorkerSetup } from './stage-messages.js';

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
  claimRunId: (runId, sourceFile) => {
    const id = nextClaim++;
    send({ type: 'claim', id, runId, sourceFile });
    return new Promise((resolve) => claims.set(id, resolve));
  },
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'setup') {
    ctx = contextOf(message.setup);
  } else if (ctx === undefined) {
    throw new Error(`a stage worker got '${message.type}' before its setup`);
  } else if (message.type === 'schema') {
    ctx.schemas.set(message.schema.proc, message.schema);
  } else if (message.type === 'claimed') {
    claims.get(message.id)?.(message.ok);
    claims.delete(message.id);
  } else {
    const { id, task } = message;
    const staging = task.contested ? ctx : { ...ctx, claimRunId: async () => true };
    stageFile(task, staging).then(
      (outcome) => send({ type: 'outcome', id, outcome }),
      (error: unknown) =>
        send({ type: 'outcome', id, outcome: { kind: 'reject', file: task.file, errorType: 'internal', error: `${task.file.relPath}: ${messageOf(error)}` } }),
    );
  }
});
send({ type: 'ready' });
