/**
 * The Node flags a function thread starts with. A worker inherits all of its host's flags unless
 * it is given its own, and the platform's include what `npm start` runs it with: tsx's `--import`
 * and `--require`, whose loader would then run in every thread and answer each of its thousands of
 * module loads (seconds per thread at start), though a thread runs only JavaScript bundles. So a
 * thread gets its host's flags without the code-loading ones; the others stay (`--cpu-prof` then
 * profiles every thread).
 *
 * Given explicitly, flags are checked: Node refuses a worker any flag that applies to the whole
 * process (`--max-old-space-size`, `--expose-gc`, `--title`, ...), which it drops silently when a
 * worker inherits them. Those are dropped here too, as Node names them, so a platform started
 * with such a flag still starts its threads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Node flags that load code into every thread, as `--import tsx`. */
const MODULE_LOADER_FLAGS: ReadonlySet<string> = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/**
 * `execArgv` without the flags `names`, in each spelling: `--flag value`, `--flag=value` and a
 * bare `--flag` (a value never starts with `-`; execArgv holds only Node's own options and their
 * values, never the script).
 */
export function withoutFlags(execArgv: readonly string[], names: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (names.has(flag)) {
      if (i + 1 < execArgv.length && !execArgv[i + 1]!.startsWith('-')) i++; // and its value
    } else if (!names.has(flag.split('=')[0]!)) kept.push(flag);
  }
  return kept;
}

export const withoutModuleLoaders = (execArgv: readonly string[]) => withoutFlags(execArgv, MODULE_LOADER_FLAGS);

/** The flags named in Node's ERR_WORKER_INVALID_EXEC_ARGV message ("...flags: --a=1, --b"), by name. */
export function refusedFlags(message: string): Set<string> {
  const list = message.slice(message.lastIndexOf(':') + 1);
  return new Set(
    list
      .split(',')
      .map((f) => f.trim().split('=')[0]!)
      .filter((f) => f.startsWith('-')),
  );
}

/** The host's flags for a thread; narrowed once if Node refuses some (the same for every thread). */
let threadFlags: string[] | undefined;

/** A worker with its host's flags as above (`options.execArgv` is not to be given). */
export function workerWithHostFlags(url: URL, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  threadFlags ??= withoutModuleLoaders(process.execArgv);
  try {
    return new Worker(url, { ...options, execArgv: threadFlags });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    threadFlags = withoutFlags(threadFlags, refusedFlags((error as Error).message));
    return new Worker(url, { ...options, execArgv: threadFlags });
  }
}
