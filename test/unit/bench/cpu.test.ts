/** bench:pipeline's CPU shares (bench/pipeline/cpu.ts): what the report says about the machine a run had. */
import { describe, expect, it } from 'vitest';
import { cpuShares, cpuSnapshot, formatCpu } from '../../../bench/pipeline/cpu.js';

const stat = (user: number, system: number, idle: number, steal: number) =>
  `cpu  ${user} 0 ${system} ${idle} 0 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 123\n`;

describe('CPU shares of a run', () => {
  it('splits the time between two snapshots into busy, idle and stolen by the hypervisor', () => {
    const from = cpuSnapshot(() => stat(1000, 200, 5000, 100));
    const to = cpuSnapshot(() => stat(1000 + 500, 200 + 100, 5000 + 100, 100 + 300));
    expect(cpuShares(from, to)).toEqual({ busy: 0.6, idle: 0.1, steal: 0.3 });
    expect(formatCpu(cpuShares(from, to))).toBe('CPU busy 60 %, idle 10 %, stolen 30 %');
  });
  it('says nothing where the machine does not tell (no /proc/stat, no time passed)', () => {
    expect(
      cpuSnapshot(() => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
    expect(cpuSnapshot(() => 'intr 1\n')).toBeUndefined();
    const same = cpuSnapshot(() => stat(1, 1, 1, 1));
    expect(cpuShares(same, same)).toBeUndefined();
    expect(formatCpu(undefined)).toBe('CPU shares unknown');
  });
  it('reads this machine when it is Linux', () => {
    if (process.platform !== 'linux') return;
    const snapshot = cpuSnapshot();
    expect(snapshot?.total).toBeGreaterThan(0);
  });
});
