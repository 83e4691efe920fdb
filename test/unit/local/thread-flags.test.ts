/**
 * Which of the platform's Node flags a function thread keeps: none that load code into it (under
 * `npm start` those register tsx, whose loader would then serve every module load of every thread),
 * all others (a profiler flag must reach the threads it profiles).
 */
import { describe, expect, it } from 'vitest';
import { withoutModuleLoaders } from '../../../local/function-threads.js';

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
});
