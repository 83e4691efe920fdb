/**
 * A counting adapter for DynamoDB: middleware on the one shared document client records the name of
 * every command sent (each retry of the SDK counts once, as a billed request would not; what we
 * count is what our code asks for). Used to hold paths to their request budget.
 */
import { dynamo } from '../../shared/adapters/aws.js';

const calls: string[] = [];
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName ?? 'unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'clearwayCallCounter' },
  );
}

/** Runs `work` and answers the DynamoDB commands it sent, in order. */
export async function countDynamoCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  install();
  const from = calls.length;
  const result = await work();
  return { result, calls: calls.slice(from) };
}
