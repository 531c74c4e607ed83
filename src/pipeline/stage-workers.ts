// Stages files on worker threads, several in flight per worker so none waits on this thread; every file gets
// an outcome, whatever happens to the others (a worker that dies is replaced, its files rejected as internal).
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.js';
import type { ProcedureSchema } from '../lake/procedure-schemas.js';
import { holdMainHeap, RESIDENT_WORKER_LIMITS } from './resident-memory.js';
import type { WorkerOutcome } from './stage-file.js';
import type { FromWorker, ToWorker, WorkerSetup, WorkerTask } from './stage-messages.js';

/**
 * Files sent ahead to each worker. A worker stages them one after the other (each to its end before the next
 * starts: only one file's bytes in memory), so more in flight costs nothing but keeps it busy while this thread
 * publishes, journals and merges: with 2, workers on many small files spent a large part of the run waiting on
 * it. Twice the worker's batch of outcomes (stage-worker.ts), so a refill arrives before it runs dry; on the shared
 * corpus, whose files take longer each, the workers still finish together (holding fewer near the end made no
 * difference).
 */
const IN_FLIGHT_PER_WORKER = 48;

export interface StageWorkerHooks {
  /** Called for each outcome as soon as it arrives, in completion order. */
  readonly onOutcome: (outcome: WorkerOutcome) => void;
  /** Decides a contested run id: true when `sourceFile` may have it. */
  readonly claimRunId: (runId: string, sourceFile: string) => boolean;
}

export interface StageWorkers {
  /** Gives the workers their context and the main thread's hooks; once, before `run`. */
  begin(setup: WorkerSetup, hooks: StageWorkerHooks): void;
  /** Sends a procedure's grown schema to every worker, so the files they write next have its columns. */
  shareSchema(schema: ProcedureSchema): void;
  /** Resolves when every task sent has its outcome. */
  run(tasks: readonly WorkerTask[]): Promise<void>;
  /**
   * Sends each worker up to `count` more tasks than it usually holds (at most a quarter of those left for it), so it
   * keeps staging while this thread is busy for a while (a merge of the manifest).
   */
  sendAhead(count: number): void;
  /** Sends no more tasks: `run` resolves once the ones in flight are done. */
  stop(): void;
  close(): Promise<void>;
}

/**
 * Starts `count` workers, which load their modules at once; `begin` then gives them their work's context. A resident
 * stager's workers, and this thread, keep their memory for hours (resident-memory.ts).
 */
export function startStageWorkers(count: number, options: { readonly resident?: boolean } = {}): StageWorkers {
  const limits = options.resident ? RESIDENT_WORKER_LIMITS : undefined;
  if (options.resident) holdMainHeap();
  const workers: Worker[] = [];
  let setup: WorkerSetup | undefined;
  let hooks: StageWorkerHooks | undefined;
  let queue: readonly WorkerTask[] = [];
  let next = 0;
  let finished: (() => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  const inFlight = new Map<Worker, Map<number, WorkerTask>>();
  let taskId = 0;

  const feed = (worker: Worker, limit = IN_FLIGHT_PER_WORKER) => {
    if (hooks === undefined) return;
    const mine = inFlight.get(worker)!;
    // No worker holds more than its share of what is left, queued or in flight: a catalog stager's batch of 64 goes
    // 32 and 32 (not 48 and 16, with one worker idle half the time), and a pass's last files are not all waiting
    // behind one worker while the other has none.
    let left = queue.length - next;
    for (const held of inFlight.values()) left += held.size;
    const cap = Math.min(limit, Math.ceil(left / Math.max(1, workers.length)));
    const tasks: { id: number; task: WorkerTask }[] = [];
    while (mine.size < cap && next < queue.length) {
      const task = queue[next++]!;
      const id = taskId++;
      mine.set(id, task);
      tasks.push({ id, task });
    }
    if (tasks.length > 0) worker.postMessage({ type: 'tasks', tasks } satisfies ToWorker);
  };
  const idle = () => next >= queue.length && [...inFlight.values()].every((m) => m.size === 0);
  const complete = (outcome: WorkerOutcome) => {
    hooks?.onOutcome(outcome);
  };
  const spawn = (): Worker => {
    const worker = startModuleWorker('stage-worker', { ...(limits === undefined ? {} : { resourceLimits: limits }), workerData: { resident: options.resident === true } });
    if (setup !== undefined) worker.postMessage({ type: 'setup', setup } satisfies ToWorker);
    let ready = false;
    inFlight.set(worker, new Map());
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        ready = true;
        // Its heap made (and under tsx, its loader's), V8's flags are back to their defaults: a resident stager holds
        // this thread's heap again.
        if (options.resident) holdMainHeap();
        feed(worker);
      }
      else if (message.type === 'claim') {
        const ok = hooks?.claimRunId(message.runId, message.sourceFile) ?? false;
        worker.postMessage({ type: 'claimed', id: message.id, ok } satisfies ToWorker);
      } else {
        const mine = inFlight.get(worker)!;
        for (const { id, outcome } of message.outcomes) {
          mine.delete(id);
          complete(outcome);
        }
        feed(worker);
        if (idle()) finished?.();
      }
    });
    worker.on('error', (error) => {
      const lost = inFlight.get(worker)!;
      inFlight.delete(worker);
      workers.splice(workers.indexOf(worker), 1);
      const fail = (task: WorkerTask) =>
        complete({ kind: 'reject', file: task.file, errorType: 'internal', error: `${task.file.relPath}: the stage worker failed (${error.message})` });
      for (const task of lost.values()) fail(task);
      // A worker that dies before it is ready would die again: the run stops (a fault of strata, not of a file).
      if (!ready && workers.length === 0) {
        next = queue.length;
        failed?.(new Error(`the stage workers could not start (${error.message})`));
        return;
      }
      if (!idle() && ready) workers.push(spawn());
      else if (idle() || workers.length > 0) {
        if (idle()) finished?.();
      }
    });
    return worker;
  };
  for (let i = 0; i < count; i++) workers.push(spawn());

  return {
    begin(given, givenHooks) {
      // The same procedures as the work before (a catalog stager's next batch): only the options travel.
      const same = setup !== undefined && given.catalog === setup.catalog && given.chipParams === setup.chipParams;
      setup = given;
      hooks = givenHooks;
      const message: ToWorker = same ? { type: 'options', options: given.options } : { type: 'setup', setup: given };
      for (const worker of workers) worker.postMessage(message);
    },
    shareSchema(schema) {
      for (const worker of workers) worker.postMessage({ type: 'schema', schema } satisfies ToWorker);
    },
    run(tasks) {
      queue = tasks;
      next = 0;
      return new Promise((resolve, reject) => {
        finished = resolve;
        failed = reject;
        if (tasks.length === 0) resolve();
        for (const worker of workers) feed(worker);
      });
    },
    sendAhead(count) {
      // A quarter of what is left for each worker, so that they still finish together.
      const share = Math.floor((queue.length - next) / Math.max(1, workers.length) / 4);
      for (const worker of workers) feed(worker, IN_FLIGHT_PER_WORKER + Math.min(count, share));
    },
    stop() {
      next = queue.length;
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
