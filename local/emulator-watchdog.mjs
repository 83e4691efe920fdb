// Runs one emulator (argv: command, args...) so that it dies with the process that started it,
// however that process dies (SIGKILL of its whole process group included): the starter holds the
// write end of this process's stdin, which the kernel closes when the starter dies; at EOF (or if
// this process is re-parented) the emulator is killed at once. The watchdog leads the emulator's
// own process group, so a Ctrl-C to the terminal's group does not reach the database mid-work.
// Plain JavaScript: it must start in milliseconds, without a TypeScript loader.
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const parent = process.ppid;
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

const killChild = (signal) => {
  try {
    child.kill(signal);
  } catch {
    /* already gone */
  }
};
const starterGone = () => {
  killChild('SIGKILL');
  process.exit(0);
};
process.stdin.on('end', starterGone);
process.stdin.on('error', starterGone);
process.stdin.on('data', () => undefined);
setInterval(() => process.ppid !== parent && starterGone(), 500);
// A clean stop: the emulator gets the signal and this process leaves when it exits.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => killChild(signal));
child.on('error', (error) => {
  console.error(`emulator-watchdog: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
