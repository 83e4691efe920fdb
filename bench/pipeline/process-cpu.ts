/**
 * Where a local run's CPU went, per process: the CPU time (user + system, from /proc/<pid>/stat)
 * of every process under the platform the bench started, split into DynamoDB Local's JVM and the
 * rest (Node: the functions' threads, the gateway, the poller, the SQS emulator). Divided by the
 * declarations accepted, it says what one declaration costs each side in CPU milliseconds, a figure
 * that moves far less from run to run than latencies do: a change that saves DynamoDB requests
 * shows here even when the machine's noise hides it in the percentiles. Linux only; elsewhere,
 * or for a platform at `--url`, there is no figure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export type ProcessCpuSnapshot = { jvmMs: number; nodeMs: number; benchMs: number };
export type CpuPerDeclaration = { dynamodbLocalMs: number; platformMs: number; benchMs: number; declarations: number };

type ProcStat = { pid: number; ppid: number; comm: string; cpuTicks: number };

/** One /proc/<pid>/stat line: the command sits in parentheses and may hold spaces; fields follow it. */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is the state (field 3); ppid is field 4, utime 14, stime 15, and cutime 16, cstime 17:
  // the CPU of its children that have exited (and were waited for), gone from /proc by now.
  const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(rest[i]));
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) return undefined;
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: ppid!,
    comm: line.slice(open + 1, close),
    cpuTicks: utime! + stime! + cutime! + cstime!,
  };
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(out.stdout?.trim()) || 100;
  }
  return ticksPerSecond;
}

/** The processes under `rootPid` (itself included), split by whether they are a JVM. */
export function processTreeCpu(
  rootPid: number | undefined,
  read: { pids: () => string[]; stat: (pid: string) => string; ticksPerSecond?: number } = {
    pids: () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)),
    stat: (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8'),
  },
): ProcessCpuSnapshot | undefined {
  if (rootPid === undefined) return undefined;
  let stats: ProcStat[];
  try {
    stats = read.pids().flatMap((pid) => {
      try {
        const s = parseProcStat(read.stat(pid));
        return s ? [s] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
  } catch {
    return undefined; // no /proc
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return undefined;
  let jvm = 0;
  let node = 0;
  for (const queue = [root]; queue.length;) {
    const s = queue.pop()!;
    if (s.comm === 'java') jvm += s.cpuTicks;
    else node += s.cpuTicks;
    queue.push(...(children.get(s.pid) ?? []));
  }
  const usage = process.cpuUsage();
  const msPerTick = 1000 / (read.ticksPerSecond ?? clockTicks());
  return { jvmMs: jvm * msPerTick, nodeMs: node * msPerTick, benchMs: (usage.user + usage.system) / 1000 };
}

/** CPU milliseconds per accepted declaration between two snapshots. */
export function cpuPerDeclaration(
  from: ProcessCpuSnapshot | undefined,
  to: ProcessCpuSnapshot | undefined,
  declarations: number,
): CpuPerDeclaration | undefined {
  if (!from || !to || declarations <= 0) return undefined;
  const per = (a: number, b: number) => +((b - a) / declarations).toFixed(2);
  return {
    dynamodbLocalMs: per(from.jvmMs, to.jvmMs),
    platformMs: per(from.nodeMs, to.nodeMs),
    benchMs: per(from.benchMs, to.benchMs),
    declarations,
  };
}

export const formatCpuPerDeclaration = (c: CpuPerDeclaration | undefined) =>
  c
    ? `CPU per accepted declaration: DynamoDB Local ${c.dynamodbLocalMs} ms, platform (Node) ${c.platformMs} ms, bench ${c.benchMs} ms (n=${c.declarations})`
    : 'CPU per declaration unknown (not a local run on Linux)';
