/**
 * One Clearway per data directory, for as long as anything it started may touch the files.
 *
 * A lost 202 (issue 9) came from two DynamoDB Local JVMs on one data file: a SIGKILLed platform
 * left its JVM running (orphaned, parent 1), the next start found a dead pid in the lock, took the
 * directory and started a second JVM on the same database. So the lock records the platform AND
 * its emulator process groups; a lock is stale only when its owner is dead, and taking it over
 * first kills what the dead owner left running (and any other JVM still serving this directory,
 * found by its command line) before a new JVM may open the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StartupError } from './emulators.js';

type LockContent = { pid: number; startedAt: string; groups: number[] };

export type DataLock = {
  /** Records an emulator's process group (its leader's pid), so a takeover can kill it. */
  recordGroup(pgid: number): void;
  release(): void;
};

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function waitUntilDead(pids: number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Pids of processes (other than ours) whose command line names `dbPath` as DynamoDB Local's -dbPath (Linux /proc). */
export function jvmsServing(dbPath: string): number[] {
  if (!fs.existsSync('/proc')) return [];
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(args[0] ?? '') !== 'java') continue; // not the emulator's watchdog, only Java itself
      const i = args.indexOf('-dbPath');
      if (i >= 0 && path.resolve(args[i + 1] ?? '') === path.resolve(dbPath) && args.some((a) => a.endsWith('DynamoDBLocal.jar'))) {
        found.push(Number(entry));
      }
    } catch {
      /* gone meanwhile, or not ours to read */
    }
  }
  return found;
}

/** Kills every JVM still serving `dbPath` (only call while holding the lock: they are orphans). */
export async function killOrphanedJvms(dbPath: string, log: (line: string) => void): Promise<void> {
  const orphans = jvmsServing(dbPath);
  if (!orphans.length) return;
  log(`killing ${orphans.length} orphaned DynamoDB Local process(es) still serving ${dbPath}: pid ${orphans.join(', ')}`);
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (!(await waitUntilDead(orphans, 10_000)))
    throw new StartupError(`orphaned DynamoDB Local (pid ${orphans.join(', ')}) on ${dbPath} would not die`);
}

export async function lockDataDir(dataDir: string, log: (line: string) => void = () => undefined): Promise<DataLock> {
  const file = path.join(dataDir, 'clearway.lock');
  const content: LockContent = { pid: process.pid, startedAt: new Date().toISOString(), groups: [] };
  const write = () => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(content));
    fs.renameSync(tmp, file); // atomic replace
  };
  const read = (): LockContent | undefined => {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockContent>;
      return typeof parsed.pid === 'number'
        ? { pid: parsed.pid, startedAt: String(parsed.startedAt), groups: parsed.groups ?? [] }
        : undefined;
    } catch {
      return undefined; // unreadable or half-written: treated as stale
    }
  };

  try {
    fs.writeFileSync(file, JSON.stringify(content), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const held = read();
    if (held && held.pid !== process.pid && isAlive(held.pid)) {
      throw new StartupError(
        `the data directory ${dataDir} is in use by another Clearway (pid ${held.pid}); give each instance its own CLEARWAY_DATA_DIR`,
      );
    }
    // Stale: its owner died. Whatever it started dies before we take over.
    const leftovers = (held?.groups ?? []).filter(isAlive);
    if (leftovers.length) {
      log(`the previous Clearway (pid ${held!.pid}) died and left emulator process group(s) ${leftovers.join(', ')}: killing them`);
      for (const pgid of leftovers) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      if (!(await waitUntilDead(leftovers, 10_000)))
        throw new StartupError(`the previous Clearway's emulators (pid ${leftovers.join(', ')}) would not die`);
    }
    write();
    // Two starters may both have judged the same lock stale: the last rename wins, the other steps back.
    await new Promise((r) => setTimeout(r, 100));
    if (read()?.pid !== process.pid) {
      throw new StartupError(
        `the data directory ${dataDir} was just taken by another Clearway; give each instance its own CLEARWAY_DATA_DIR`,
      );
    }
  }
  return {
    recordGroup(pgid) {
      content.groups.push(pgid);
      write();
    },
    release() {
      if (read()?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}
