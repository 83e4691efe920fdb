/**
 * Reads shared by the records of one queue-worker batch (one invocation): the first call for a key
 * starts the read, later calls for that key get the same promise. Powertools runs a batch's records
 * concurrently, so they would make the same read at nearly the same moment anyway; what a batch
 * sees is therefore what each of its records would have seen. Nothing outlives the batch: the
 * worker makes a new scope per invocation, so a failed read fails only this batch's uses of it.
 */
export function sharedPerBatch<K extends unknown[], V>(read: (...args: K) => Promise<V>, keyOf: (...args: K) => string) {
  const reads = new Map<string, Promise<V>>();
  return (...args: K): Promise<V> => {
    const key = keyOf(...args);
    let found = reads.get(key);
    if (!found) reads.set(key, (found = read(...args)));
    return found;
  };
}
