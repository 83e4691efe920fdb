/**
 * The queue workers of local mode, in their own thread: like Lambda's separate containers, they get
 * their own module instances and their own SDK connections, so API requests never wait in a
 * connection pool behind audit work. The thread runs one poller per SQS event source mapping.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LambdaHost } from './lambda-host.js';
import { SqsPoller } from './sqs-poller.js';
import type { EventSourceModel, FunctionModel } from './template.js';

export type WorkersThreadData = {
  projectRoot: string;
  env: Record<string, string>;
  sqsEndpoint: string;
  functions: [string, FunctionModel][];
  mappings: { mapping: EventSourceModel; queueUrl: string; queueArn: string }[];
};

const data = workerData as WorkersThreadData;
Object.assign(process.env, data.env);
// Only the functions this thread runs are loaded here.
const wanted = new Set(data.mappings.map((m) => m.mapping.functionId));
const host = new LambdaHost(data.projectRoot, new Map(data.functions.filter(([id]) => wanted.has(id))));
await host.loadAll();
const pollers = data.mappings.map(({ mapping, queueUrl, queueArn }) => new SqsPoller(data.sqsEndpoint, mapping, queueUrl, queueArn, host));
pollers.forEach((p) => p.start());
parentPort!.postMessage({ type: 'started' });

parentPort!.on('message', async (message: { type: string }) => {
  if (message.type !== 'stop') return;
  await Promise.all(pollers.map((p) => p.stop()));
  await host.drain(15_000);
  parentPort!.postMessage({ type: 'stopped' });
});
