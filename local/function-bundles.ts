/**
 * Bundles the template's functions for local mode, as the stack bundles them for Lambda: esbuild
 * with the very options of infra/constructs/function-bundling.ts, the SDK inside. The function
 * threads then load plain JavaScript (no TypeScript loader in any thread), which is what makes a
 * local start take seconds instead of compiling every source and the SDK once per thread.
 *
 * One build for all functions and the thread runtime (local/function-thread.ts), with code
 * splitting: modules two functions share are written once, as chunks, and the build takes about a
 * second (fourteen separate bundles take four). Each thread still has its own module instances
 * (its own isolate), as each Lambda function has; within a thread, the runtime and its function
 * share one instance of every module (the meter's counters, for one).
 *
 * Each function has a folder, its task root (`<outDir>/<logical id>/`, with `index.mjs`), as its
 * Lambda code has `/var/task`; static files it serves are linked there as `static/`, where the
 * stack copies them. One difference to mind: a module several functions share is a chunk here, so
 * its `import.meta.url` is the chunk's; code that looks for files beside its bundle uses
 * `LAMBDA_TASK_ROOT`, which the function threads set as Lambda does (functions/console.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildFailure, type BuildOptions, type Message } from 'esbuild';
import { FUNCTION_BUNDLING, STATIC_BESIDE_BUNDLE } from '../infra/constructs/function-bundling.js';
import { StartupError } from './emulators.js';
import type { FunctionModel } from './template.js';

export type FunctionBundles = {
  /** The thread runtime every function thread starts (local/function-thread.ts, bundled). */
  runtimeUrl: string;
  /** A function's folder (its `LAMBDA_TASK_ROOT`), by logical id: `index.mjs`, and `static/` if it serves files. */
  taskRoot(logicalId: string): string;
  /** The bundled handler module of a function (`index.mjs` in its task root). */
  moduleUrl(logicalId: string): string;
  /** Removes the bundles when they were written to a temporary folder (no `outDir` given). */
  remove(): void;
};

const RUNTIME_SOURCE = path.join(import.meta.dirname, 'function-thread.ts');

const located = (m: Message) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text);

/** A function that cannot be bundled: the start fails with this message alone (no stack), naming the function or the source. */
export class FunctionBundleError extends StartupError {}

/**
 * Writes the bundles into `outDir` (emptied first: a stale chunk never survives a start; default a
 * temporary folder) and returns where they are. Fails naming the function whose entry is missing,
 * or with esbuild's errors (file:line:column) when a source does not compile.
 */
export async function bundleFunctions(projectRoot: string, functions: FunctionModel[], outDir?: string): Promise<FunctionBundles> {
  for (const fn of functions) {
    if (!fs.existsSync(path.join(projectRoot, fn.entry)))
      throw new FunctionBundleError(`${fn.logicalId} (${fn.entry}) failed to load: ${fn.entry} does not exist`);
  }
  const dir = outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-functions-'));
  if (outDir) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const remove = () => {
    if (!outDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await build(options(projectRoot, functions, dir));
  } catch (error) {
    remove();
    const failure = error as BuildFailure;
    if (!Array.isArray(failure.errors)) throw error;
    throw new FunctionBundleError(`the functions could not be bundled:\n${failure.errors.map(located).join('\n')}`);
  }
  for (const fn of functions) {
    if (fn.staticDir) fs.symlinkSync(path.resolve(projectRoot, fn.staticDir), path.join(dir, fn.logicalId, STATIC_BESIDE_BUNDLE), 'dir');
  }
  return {
    runtimeUrl: pathToFileURL(path.join(dir, 'runtime', 'function-thread.mjs')).href,
    taskRoot: (logicalId) => path.join(dir, logicalId),
    moduleUrl: (logicalId) => pathToFileURL(path.join(dir, logicalId, 'index.mjs')).href,
    remove,
  };
}

function options(projectRoot: string, functions: FunctionModel[], outdir: string): BuildOptions {
  const { banner, external, mainFields, ...same } = FUNCTION_BUNDLING;
  return {
    ...same,
    mainFields: [...mainFields],
    external: [...external],
    banner: { js: banner },
    entryPoints: [
      ...functions.map((fn) => ({ in: path.join(projectRoot, fn.entry), out: `${fn.logicalId}/index` })),
      { in: RUNTIME_SOURCE, out: 'runtime/function-thread' },
    ],
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    absWorkingDir: projectRoot,
    logLevel: 'silent',
  };
}
