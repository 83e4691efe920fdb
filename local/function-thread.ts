/**
 * One function of local mode, in its own worker thread: like a Lambda function's containers it has
 * its own environment (exactly what the template gives it, plus the local endpoints), its own module
 * instances, so its own DynamoDB and SQS connection pools, and its own pollers for the queues it
 * consumes. The main thread sends it invocations (API requests, schedules) as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FunctionTimeout, LambdaHost } from './lambda-host.js';
import { SqsPoller } from './sqs-poller.js';
import type { EventSourceModel, FunctionModel } from './template.js';

export type FunctionThreadData = {
  /** The thread runtime's bundle, which the bootstrap (function-thread-bootstrap.mjs) loads. */
  runtimeUrl: string;
  fn: FunctionModel;
  /** The function's bundled module (local/function-bundles.ts). */
  moduleUrl: string;
  sqsEndpoint: string;
  mappings: { mapping: EventSourceModel; queueUrl: string; queueArn: string }[];
};

/** Messages between the main thread and a function thread. */
export type ToThread = { type: 'invoke'; id: number; event: unknown } | { type: 'stop-polling' } | { type: 'stop' };
export type SerializedError = { name: string; message: string; stack?: string; timeout: boolean };
export type FromThread =
  | { type: 'started' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'polling-stopped' }
  | { type: 'stopped' };

const data = workerData as FunctionThreadData;
const port = parentPort!;
const post = (message: FromThread) => port.postMessage(message);
const serialized = (error: unknown): SerializedError => ({
  name: String((error as Error)?.name ?? 'Error'),
  message: String((error as Error)?.message ?? error),
  stack: (error as Error)?.stack,
  timeout: error instanceof FunctionTimeout,
});

try {
  const host = new LambdaHost(new Map([[data.fn.logicalId, data.fn]]), () => data.moduleUrl);
  await host.loadAll();
  const pollers = data.mappings.map(
    ({ mapping, queueUrl, queueArn }) => new SqsPoller(data.sqsEndpoint, mapping, queueUrl, queueArn, host),
  );
  port.on('message', (message: ToThread) => {
    if (message.type === 'invoke') {
      host.invoke(data.fn.logicalId, message.event).then(
        (value) => {
          // A result the structured clone cannot carry (a function, a class instance with a
          // symbol-keyed handle) would throw here and leave the caller waiting for ever: it is
          // the invocation's error instead, as Lambda fails a response it cannot serialize.
          try {
            post({ type: 'result', id: message.id, value });
          } catch (error) {
            post({ type: 'error', id: message.id, error: serialized(error) });
          }
        },
        (error: unknown) => post({ type: 'error', id: message.id, error: serialized(error) }),
      );
    } else if (message.type === 'stop-polling') {
      void Promise.all(pollers.map((p) => p.stop())).then(() => post({ type: 'polling-stopped' }));
    } else if (message.type === 'stop') {
      // No new messages from the queues; the invocations in flight finish (what is still queued
      // waits in the queues for the next start).
      void Promise.all(pollers.map((p) => p.stop()))
        .then(() => host.drain(15_000))
        .then(() => post({ type: 'stopped' }));
    }
  });
  pollers.forEach((p) => p.start());
  post({ type: 'started' });
} catch (error) {
  post({ type: 'failed', error: (error as Error)?.stack ?? String(error) });
}
