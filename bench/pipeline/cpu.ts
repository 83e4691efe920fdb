/**
 * How much of the machine a run had: CPU time from /proc/stat (Linux) between two snapshots, as
 * shares of all cores' time. The load average says how many threads wanted a core; it does not
 * say that the hypervisor took some of the cores' time for other guests ("steal"). On the 2-core
 * VMs this is measured on, steal under full load was seen between 0 and 40 %, which moves the
 * sustained rate by as much: a figure taken with steal is a contention figure, and the report says so.
 */
import { readFileSync } from 'node:fs';

export type CpuSnapshot = { user: number; system: number; idle: number; iowait: number; steal: number; total: number };
export type CpuShares = { busy: number; idle: number; steal: number };

/** The aggregate `cpu` line of /proc/stat, or undefined where there is none (not Linux). */
export function cpuSnapshot(read: () => string = () => readFileSync('/proc/stat', 'utf8')): CpuSnapshot | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    user: user + nice,
    system: system + irq + softirq,
    idle,
    iowait,
    steal,
    total: user + nice + system + idle + iowait + irq + softirq + steal,
  };
}

/** Shares (0..1, two decimals) of the time between two snapshots: busy (user + system), idle (incl. I/O wait), stolen. */
export function cpuShares(from: CpuSnapshot | undefined, to: CpuSnapshot | undefined): CpuShares | undefined {
  if (!from || !to) return undefined;
  const total = to.total - from.total;
  if (total <= 0) return undefined;
  const share = (v: number) => +(v / total).toFixed(2);
  return {
    busy: share(to.user - from.user + (to.system - from.system)),
    idle: share(to.idle - from.idle + (to.iowait - from.iowait)),
    steal: share(to.steal - from.steal),
  };
}

export const formatCpu = (c: CpuShares | undefined) =>
  c
    ? `CPU busy ${Math.round(c.busy * 100)} %, idle ${Math.round(c.idle * 100)} %, stolen ${Math.round(c.steal * 100)} %`
    : 'CPU shares unknown';
