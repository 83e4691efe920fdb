/**
 * Runs the template's functions in this process: imports each function's module (its local bundle
 * in a function thread, local/function-bundles.ts; its source in a test that runs under a TypeScript
 * loader) and invokes the handler the stack recorded with a Lambda-like context and its timeout.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionModel } from './template.js';
import { meteredInvocation } from '../shared/adapters/metering.js';

export type Invoke = (event: unknown) => Promise<unknown>;

export class FunctionTimeout extends Error {}

/** Where a function's module is: here, its source file (for tests that run TypeScript directly). */
export type ModuleLocator = (fn: FunctionModel) => string;
export const sourceModule =
  (projectRoot: string): ModuleLocator =>
  (fn) =>
    pathToFileURL(path.join(projectRoot, fn.entry)).href;

export class LambdaHost {
  private readonly loaded = new Map<string, Invoke>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly functions: Map<string, FunctionModel>,
    private readonly moduleOf: ModuleLocator,
  ) {}

  /** Imports every function module up front, so the first request pays no import. */
  async loadAll(): Promise<void> {
    for (const fn of this.functions.values()) await this.load(fn.logicalId);
  }

  private async load(logicalId: string): Promise<Invoke> {
    const cached = this.loaded.get(logicalId);
    if (cached) return cached;
    const fn = this.functions.get(logicalId);
    if (!fn) throw new Error(`no function ${logicalId} in the template`);
    const module = (await import(this.moduleOf(fn))) as Record<string, unknown>;
    const handler = module[fn.handler];
    if (typeof handler !== 'function') throw new Error(`${fn.entry} does not export ${fn.handler}`);
    const invoke: Invoke = (event) => this.run(fn, handler as (e: unknown, c: Context) => Promise<unknown>, event);
    this.loaded.set(logicalId, invoke);
    return invoke;
  }

  async invoke(logicalId: string, event: unknown): Promise<unknown> {
    return (await this.load(logicalId))(event);
  }

  private async run(fn: FunctionModel, handler: (e: unknown, c: Context) => Promise<unknown>, event: unknown): Promise<unknown> {
    const started = Date.now();
    const deadline = started + fn.timeoutS * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn.logicalId}`,
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    this.inFlight++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        // Metering (off unless CLEARWAY_METER=1) counts this invocation and its SDK calls against the function.
        meteredInvocation(fn.logicalId, () => Promise.resolve().then(() => handler(event, context))),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new FunctionTimeout(`${fn.logicalId} timed out after ${fn.timeoutS} s`)), fn.timeoutS * 1000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when no invocation is running (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}
