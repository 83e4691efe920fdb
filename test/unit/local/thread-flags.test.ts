/**
 * Which of the platform's Node flags a function thread keeps: none that load code into it (under
 * `npm start` those register tsx, whose loader would then serve every module load of every thread),
 * none Node refuses a worker (it names them), all others (a profiler flag must reach the threads
 * it profiles).
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { refusedFlags, withoutFlags, withoutModuleLoaders } from '../../../local/thread-flags.js';

describe('a function thread’s Node flags', () => {
  it('drop every code-loading flag with its value, in both spellings', () => {
    expect(
      withoutModuleLoaders([
        '--require',
        '/x/preflight.cjs',
        '--import',
        'file:///x/tsx/loader.mjs',
        '-r',
        'y.cjs',
        '--loader=tsx',
        '--experimental-loader',
        'z.mjs',
        '--import=tsx',
      ]),
    ).toEqual([]);
  });

  it('keep the others, in order', () => {
    expect(withoutModuleLoaders(['--cpu-prof', '--import', 'tsx', '--cpu-prof-dir=/tmp/p', '--conditions', 'development'])).toEqual([
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/p',
      '--conditions',
      'development',
    ]);
  });

  it('drop the flags Node refuses a worker, as its own error names them, with their values', () => {
    const host = ['--cpu-prof', '--max-old-space-size=2048', '--expose-gc', '--title', 'clearway', '--trace-warnings'];
    let message = '';
    try {
      new Worker('0', { eval: true, execArgv: host }).terminate();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/invalid execArgv flags/);
    const refused = refusedFlags(message);
    expect([...refused].sort()).toEqual(['--expose-gc', '--max-old-space-size', '--title']);
    expect(withoutFlags(host, refused)).toEqual(['--cpu-prof', '--trace-warnings']);
  });
});
