/** Starts and stops the queue workers' thread (local/workers-thread.ts). */
import { Worker } from 'node:worker_threads';
import type { WorkersThreadData } from './workers-thread.js';

export type WorkersThread = { stop(): Promise<void> };

export async function startWorkersThread(data: WorkersThreadData): Promise<WorkersThread> {
  // The thread registers tsx itself, so it runs the same TypeScript sources.
  const worker = new Worker(new URL('./workers-bootstrap.mjs', import.meta.url), { workerData: data });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { type: string }) => m.type === 'started' && resolve());
  });
  worker.on('error', (error) => console.error(JSON.stringify({ level: 'ERROR', message: 'workers thread failed', error: String(error) })));
  return {
    stop: async () => {
      const stopped = new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'stopped' && resolve()));
      worker.postMessage({ type: 'stop' });
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 20_000))]);
      await worker.terminate();
    },
  };
}
