// A resident stager (`strata stage --watch`) holds the memory it starts with, hour after hour. V8 grows a heap's
// young generation step by step (to 32 MB a heap) as the objects that survive its collections add up, and gives it
// back only once the process has been idle for some 20 s, which a stager fed a file every few seconds never is: so
// the memory of such a stager climbed for the whole of an hour of arrivals, its heaps' young generations doubling
// one after another. A resident stager's young generations keep their size: each worker's has a fixed ceiling, and
// the process owner (the CLI) stops this thread's from growing.
import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

/**
 * A resident stage worker's heap limits: a young generation of 12 MB (semi-spaces of 4 MB), enough for a file's
 * objects between two collections, where V8 would grow it to 48 MB over the hours.
 */
export const RESIDENT_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };

/**
 * Stops the young generation of this thread's heap from growing past its size now. It changes a V8 flag of the
 * whole process, so only the process's owner calls it (the CLI, for `stage --watch`), never the library.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
