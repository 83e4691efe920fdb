/**
 * A function for the local runtime's own tests: reports the environment it runs with (variables,
 * module URL, Node flags), and reads a
 * variable the way Clearway's adapters do (requiredEnv), so a test can show what happens when its
 * manifest does not give it that variable. It can also crash its thread (an uncaught exception
 * outside any invocation) or answer with a value a thread cannot send back (a function).
 */
import { requiredEnv } from '../../../shared/adapters/aws.js';

export const handler = async (event: { read?: string; crash?: boolean; unclonable?: boolean }) => {
  if (event.crash) {
    setImmediate(() => {
      throw new Error('the probe crashed its thread on purpose');
    });
    return new Promise(() => undefined); // never answers: the thread dies first
  }
  if (event.unclonable) return { answer: () => 42 };
  return {
    variables: Object.keys(process.env).sort(),
    // Where it runs from (its local bundle) and with which Node flags (none of its host's).
    module: import.meta.url,
    execArgv: process.execArgv,
    ...(event.read ? { value: requiredEnv(event.read) } : {}),
  };
};
