/**
 * Starts every function of the template in its own thread (local/function-thread.ts) and invokes
 * them by logical id, as API Gateway, EventBridge and the SQS event source mappings do in the cloud.
 * Each thread gets only its own environment: a variable missing from one function's manifest is
 * missing locally too, not inherited from a neighbour. A thread runs its function's bundle
 * (local/function-bundles.ts), as Lambda does, not its TypeScript source.
 */
import type { Worker } from 'node:worker_threads';
import type { FunctionBundles } from './function-bundles.js';
import { FunctionTimeout } from './lambda-host.js';
import { workerWithHostFlags } from './thread-flags.js';
import type { FromThread, FunctionThreadData, ToThread } from './function-thread.js';
import type { EventSourceModel, FunctionModel } from './template.js';

export type Invoker = { invoke(logicalId: string, event: unknown): Promise<unknown> };

export type FunctionThreadSpec = {
  fn: FunctionModel;
  /** The whole environment of the function (process.env of its thread). */
  env: Record<string, string>;
  mappings: { mapping: EventSourceModel; queueUrl: string; queueArn: string }[];
};

/** Resolves after `ms`, or at once when `settled` settles first; its timer never outlives either. */
async function atMost(ms: number, settled: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([settled, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

class FunctionThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private idleWaiters: (() => void)[] = [];
  private exited = false;
  private stopping = false;

  private constructor(
    readonly logicalId: string,
    private readonly worker: Worker,
    onDied: (why: string) => void,
  ) {
    worker.on('message', (message: FromThread) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.type === 'result') waiter.resolve(message.value);
      else {
        const error = message.error.timeout ? new FunctionTimeout(message.error.message) : new Error(message.error.message);
        if (!message.error.timeout) error.name = message.error.name;
        if (message.error.stack) error.stack = message.error.stack;
        waiter.reject(error);
      }
      if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    worker.on('error', (error) =>
      console.error(JSON.stringify({ level: 'ERROR', message: 'function thread failed', function: logicalId, error: String(error) })),
    );
    worker.once('exit', (code) => {
      this.exited = true;
      // A thread that ends without being stopped took its pollers with it: its queue would fill
      // silently while every other function went on. The platform is told, and stops.
      if (!this.stopping) onDied(`${logicalId}: its thread exited unexpectedly (code ${code})`);
      for (const [, waiter] of this.pending) waiter.reject(new Error(`${logicalId}: its thread exited`));
      this.pending.clear();
      for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  static async start(
    bundles: FunctionBundles,
    sqsEndpoint: string,
    spec: FunctionThreadSpec,
    onDied: (why: string) => void,
  ): Promise<FunctionThread> {
    const data: FunctionThreadData = {
      runtimeUrl: bundles.runtimeUrl,
      fn: spec.fn,
      moduleUrl: bundles.moduleUrl(spec.fn.logicalId),
      sqsEndpoint,
      mappings: spec.mappings,
    };
    // The host's Node flags, less those that load code or that Node refuses a worker (local/thread-flags.ts).
    const worker = workerWithHostFlags(new URL('./function-thread-bootstrap.mjs', import.meta.url), {
      workerData: data,
      // `env` is the thread's process.env: a copy of exactly this, not the platform's, plus where
      // its code is, as Lambda's runtime sets it.
      env: { ...spec.env, LAMBDA_TASK_ROOT: bundles.taskRoot(spec.fn.logicalId) },
    });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`${spec.fn.logicalId}: its thread exited with ${code} while starting`));
      worker.once('exit', onExit);
      worker.once('error', reject);
      const onMessage = (m: FromThread) => {
        if (m.type === 'started' || m.type === 'failed') {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          worker.off('error', reject);
          if (m.type === 'started') resolve();
          else reject(new Error(`${spec.fn.logicalId} (${spec.fn.entry}) failed to load: ${m.error}`));
        }
      };
      worker.on('message', onMessage);
    }).catch(async (error: unknown) => {
      // A thread whose function failed to load is still running (its event loop holds the port):
      // end it, or a failed start leaves it behind.
      await worker.terminate();
      throw error;
    });
    return new FunctionThread(spec.fn.logicalId, worker, onDied);
  }

  invoke(event: unknown): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(`${this.logicalId}: its thread has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'invoke', id, event } satisfies ToThread);
    });
  }

  /** Resolves when no invocation sent from here is running (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return;
    await atMost(timeoutMs, new Promise<void>((r) => this.idleWaiters.push(r)));
  }

  /** Sends `request` and waits (at most 20 s, or until the thread ends) for its `answer`, then stops listening. */
  private async ask(request: ToThread, answer: FromThread['type']): Promise<void> {
    let listener: ((m: FromThread) => void) | undefined;
    const answered = new Promise<void>((resolve) => {
      listener = (m: FromThread) => m.type === answer && resolve();
      this.worker.on('message', listener);
      // A thread that ends meanwhile will never answer: do not wait the 20 s for it.
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage(request);
    try {
      await atMost(20_000, answered);
    } finally {
      this.worker.off('message', listener!);
    }
  }

  /** Its pollers take no more messages (the batches they are in finish); it still serves invocations. */
  async stopPolling(): Promise<void> {
    if (this.exited) return;
    await this.ask({ type: 'stop-polling' }, 'polling-stopped');
  }

  /** Stops its pollers, lets its invocations finish (at most ~15 s), then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.exited) await this.ask({ type: 'stop' }, 'stopped');
    await this.worker.terminate();
  }
}

export class FunctionThreads implements Invoker {
  private constructor(private readonly threads: Map<string, FunctionThread>) {}

  /**
   * Starts a thread for each spec, running its function from `bundles` (local/function-bundles.ts;
   * a promise of them fails the start as they fail). `onThreadDied` hears of a thread that ended
   * without being stopped (the platform stops on it).
   */
  static async start(
    bundles: FunctionBundles | Promise<FunctionBundles>,
    sqsEndpoint: string,
    specs: FunctionThreadSpec[],
    onThreadDied: (why: string) => void = (why) => console.error(JSON.stringify({ level: 'ERROR', message: why })),
  ): Promise<FunctionThreads> {
    const built = await bundles;
    const started = await Promise.allSettled(specs.map((spec) => FunctionThread.start(built, sqsEndpoint, spec, onThreadDied)));
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((t) => t.stop()));
      throw failed.reason;
    }
    return new FunctionThreads(new Map(threads.map((t) => [t.logicalId, t])));
  }

  invoke(logicalId: string, event: unknown): Promise<unknown> {
    const thread = this.threads.get(logicalId);
    if (!thread) return Promise.reject(new Error(`no function ${logicalId} in the template`));
    return thread.invoke(event);
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all([...this.threads.values()].map((t) => t.drain(timeoutMs)));
  }

  /** The queue consumers take no more messages; every function still serves invocations. */
  async stopPolling(): Promise<void> {
    await Promise.all([...this.threads.values()].map((t) => t.stopPolling()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.threads.values()].map((t) => t.stop()));
  }
}
