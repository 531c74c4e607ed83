// In-process mutual exclusion by key: callers with the same key run one after another, in arrival order.

const tails = new Map<string, Promise<void>>();

/** Runs `work` once every earlier holder of `key` has finished (successfully or not). */
export async function withKeyedLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
