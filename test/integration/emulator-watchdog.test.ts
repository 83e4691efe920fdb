/**
 * DynamoDB Local runs under a watchdog in its own process group (local/emulators.ts). Whatever ends
 * the watchdog, the JVM must not outlive it: a watchdog killed by a signal it does not handle
 * (SIGQUIT, which is what `jcmd <pid>` sends to a process that is not a JVM) used to leave Java
 * running, re-parented to init, holding its data directory.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startDynamoLocal } from '../../local/emulators.js';
import { waitFor } from '../support/wait.js';

/** Pids of the processes in a process group (none once it is empty). */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, group]) => group === pgid)
    .map(([pid]) => pid!);
}

describe('the DynamoDB Local watchdog', () => {
  it('takes the JVM with it when it is killed by a signal it does not handle', async () => {
    const dynamo = await startDynamoLocal({});
    const unexpected: string[] = [];
    dynamo.onUnexpectedExit((why) => unexpected.push(why));
    expect(groupMembers(dynamo.pid).length).toBeGreaterThanOrEqual(2); // the watchdog and Java

    process.kill(dynamo.pid, 'SIGQUIT');

    await waitFor('the emulator group to be empty', () => groupMembers(dynamo.pid).length === 0, 15_000);
    expect(unexpected).toHaveLength(1);
    await dynamo.stop(); // a stop after the fact answers at once
  }, 60_000);
});
