import { isTransient } from '../domain/transient-errors.js';

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

/**
 * The calls made in one turn of the event loop, handed to `flush` together once it ends (the
 * skeleton of `coalescedPerBatch` and `groupedPerRound`): Powertools starts every record of a
 * batch before any of them waits on I/O, so a batch's calls of one step arrive in one turn.
 */
function perTurn<C>(flush: (calls: C[]) => void): (call: C) => void {
  let round: C[] | undefined;
  return (call) => {
    if (!round) {
      const calls = (round = []);
      setImmediate(() => {
        round = undefined;
        flush(calls);
      });
    }
    round.push(call);
  };
}

/**
 * Reads that one batch's records start at the same moment, answered by one request for all of
 * them (`readMany`, e.g. one BatchGetItem where each record would make its own Query). It shares
 * time, not results: the calls collected until the event loop's next turn (Powertools starts
 * every record of a batch before any of them waits on I/O) go out together, and a later call
 * (a re-read after a lost race) makes a read of its own. A key asked for twice in one round is
 * read once; each caller gets its own copy, so no caller sees another's changes to it. `readMany`
 * answers by `keyOf(key)`; a key it leaves out is answered undefined (not found). When a round's
 * read fails, each of its keys is read again alone: a failure reaches only the callers whose own
 * read fails, so one poison item never fails its batch-mates (a transient failure, throttling or
 * an outage, fails the round as it is: the records retry as they would have).
 */

export function coalescedPerBatch<K, V>(readMany: (keys: K[]) => Promise<Map<string, V>>, keyOf: (key: K) => string) {
  type Waiter = { resolve: (value: V | undefined) => void; reject: (error: unknown) => void };
  const answer = (waiters: Waiter[], value: V | undefined) =>
    waiters.forEach((w, i) => w.resolve(i === 0 || value === undefined ? value : structuredClone(value)));
  const flush = async (waiting: Map<string, { key: K; waiters: Waiter[] }>) => {
    try {
      const found = await readMany([...waiting.values()].map((w) => w.key));
      for (const [id, { waiters }] of waiting) answer(waiters, found.get(id));
      return;
    } catch (error) {
      // Throttling or an outage is everyone's: reading each key again would only add load.
      if (waiting.size === 1 || isTransient(error)) {
        for (const { waiters } of waiting.values()) for (const w of waiters) w.reject(error);
        return;
      }
    }
    // A round failed: each key is read again on its own, so that one bad item (or one that cannot
    // be parsed) fails only the records that asked for it, as their own reads would have.
    await Promise.all(
      [...waiting].map(async ([id, { key, waiters }]) => {
        try {
          answer(waiters, (await readMany([key])).get(id));
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }),
    );
  };
  // A key asked for twice in one turn is one entry with two waiters.
  const call = perTurn<{ key: K; waiter: Waiter }>((calls) => {
    const waiting = new Map<string, { key: K; waiters: Waiter[] }>();
    for (const { key, waiter } of calls) {
      const id = keyOf(key);
      const entry = waiting.get(id) ?? { key, waiters: [] };
      entry.waiters.push(waiter);
      waiting.set(id, entry);
    }
    void flush(waiting);
  });
  return (key: K): Promise<V | undefined> => new Promise((resolve, reject) => call({ key, waiter: { resolve, reject } }));
}

/**
 * Writes that one batch's records make at the same moment, committed together (`runMany`, e.g.
 * one transaction for an audit batch's transitions, shared/adapters/declaration-transitions.ts).
 * Like `coalescedPerBatch` it shares time, not outcomes: the calls collected until the event
 * loop's next turn go out together and each gets its own answer (`runMany` answers by position,
 * settled, so that one caller's failure is its own); a call alone in its turn (a trickle, or
 * most retries after a lost race) runs by `runOne`, exactly as without the grouping.
 */
export function groupedPerRound<I, O>(runMany: (inputs: I[]) => Promise<PromiseSettledResult<O>[]>, runOne: (input: I) => Promise<O>) {
  type Call = { input: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  const flush = async (calls: Call[]) => {
    if (calls.length === 1) {
      const [only] = calls as [Call];
      // Through a promise, so that a runOne that throws at once still answers its caller.
      return Promise.resolve()
        .then(() => runOne(only.input))
        .then(only.resolve, only.reject);
    }
    try {
      const outcomes = await runMany(calls.map((c) => c.input));
      calls.forEach((c, i) => {
        const outcome = outcomes[i];
        if (outcome?.status === 'fulfilled') c.resolve(outcome.value);
        else c.reject(outcome ? outcome.reason : new Error('a grouped write gave no answer'));
      });
    } catch (error) {
      for (const c of calls) c.reject(error);
    }
  };
  const call = perTurn<Call>((calls) => void flush(calls));
  return (input: I): Promise<O> => new Promise((resolve, reject) => call({ input, resolve, reject }));
}
