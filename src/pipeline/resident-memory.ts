// A resident stager (`strata stage --watch`) holds the memory it starts with, hour after hour. V8 grows a heap's
// young generation step by step (to 32 MB a heap) as the objects that survive its collections add up, and gives it
// back only once the process has been idle for some 20 s, which a stager fed a file every few seconds never is; and
// it lets the old generation fill to several times what is live before a full collection. So the memory of such a
// stager climbed for the whole of an hour of arrivals. A resident stager keeps its heaps near their size: each
// worker's young generation has a fixed ceiling, this thread's stops growing, and its old generation is collected
// once it holds a quarter more than was live.
import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * A resident stage worker's heap limits: a young generation of 12 MB (semi-spaces of 4 MB), enough for a file's
 * objects between two collections, where V8 would grow it to 48 MB over the hours.
 */
export const RESIDENT_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };

/**
 * Keeps this thread's heap near its size: its young generation stops growing, and its old generation is collected
 * once a quarter larger than it was after the last full collection. These are V8 flags of the whole process, and V8
 * puts the first back to its default whenever it makes a heap (a worker's too): so it is called once the workers
 * are up, and again whenever one is replaced.
 */
export function holdMainHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=25');
}
