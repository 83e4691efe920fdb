/**
 * Local mode: the same handlers as in the cloud, on real emulators, provisioned from the
 * synthesized template. Used by `npm start` and by the end-to-end tests.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulatorEnvironment, startDynamoLocal, startSqsLocal, StartupError, type DynamoLocal, type SqsLocal } from './emulators.js';
import { HttpGateway } from './http-gateway.js';
import { killOrphanedJvms, lockDataDir } from './data-lock.js';
import { problemResponse } from '../shared/http/problem.js';
import { bundleFunctions } from './function-bundles.js';
import { FunctionThreads } from './function-threads.js';
import { functionEnvironment } from './function-environment.js';
import { provision } from './provision.js';
import { checkAgainstManifests, modelOf, synthesizeTemplate, type PlatformModel } from './template.js';
import { manifests } from '../functions/manifests.js';
import { strandedAfterS as strandedBound } from '../shared/config.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type PlatformOptions = {
  port: number;
  host?: string;
  dataDir: string;
  adminKey: string;
  strandedAfterS?: number;
  webhookSchedule?: string;
  /** Local-only: how often scheduled functions run (default: their template rate, and never
   *  slower than half of strandedAfterS, so the redrive bound holds locally too). */
  scheduleEveryS?: number;
  log?: (line: string) => void;
  /** A child could not be kept running: default, print the line and exit 1. */
  onFatal?: (line: string) => void;
};

export type Platform = { url: string; model: PlatformModel; stop(): Promise<void>; startupMs: number };

function prepareDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.mkdirSync(path.join(dataDir, 'dynamodb'), { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch (error) {
    throw new StartupError(
      `the data directory ${dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}); set CLEARWAY_DATA_DIR to a writable folder`,
    );
  }
}

/** Bounds on how long a client may take to send its headers and its whole request (slow clients are cut off). */
const secondsFromEnv = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};

/** DynamoDB Local restarts this many times within RESTART_WINDOW_MS before the platform gives up. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`port ${port} is already in use; set PORT to a free port`)
          : new StartupError(`cannot listen on ${host}:${port}: ${error.message}`),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const dataDir = path.resolve(options.dataDir);
  prepareDataDir(dataDir);
  const lock = await lockDataDir(dataDir, log);
  const releaseLock = () => lock.release();
  const fatal =
    options.onFatal ??
    ((line: string) => {
      console.error(`clearway: ${line}`);
      process.exit(1);
    });

  // Bind the port first: a taken port fails at once, and early requests get a 503 while starting.
  let gateway: HttpGateway | undefined;
  const server = http.createServer(
    {
      // Slow clients are cut off: headers within 10 s, the whole request within 30 s (Node answers 408).
      headersTimeout: secondsFromEnv('CLEARWAY_HEADERS_TIMEOUT_S', 10) * 1000,
      requestTimeout: secondsFromEnv('CLEARWAY_REQUEST_TIMEOUT_S', 30) * 1000,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      const requestId = randomUUID();
      if (!gateway) {
        const starting = problemResponse({ status: 503, detail: 'Clearway is starting', requestId, headers: { 'retry-after': '1' } });
        res.writeHead(503, starting.headers as Record<string, string>).end(starting.body);
        return;
      }
      gateway.handle(req, res).catch((error: unknown) => {
        log(`gateway error (request ${requestId}): ${String(error)}`);
        if (res.headersSent) return void res.end();
        const failed = problemResponse({
          status: 500,
          detail: 'an internal error occurred; quote the request id when reporting it',
          requestId,
        });
        res.writeHead(500, failed.headers as Record<string, string>).end(failed.body);
      });
    },
  );
  server.keepAliveTimeout = 65_000;
  let port: number;
  try {
    port = await listen(server, options.port, host);
  } catch (error) {
    releaseLock();
    throw error;
  }

  let dynamo: DynamoLocal | undefined;
  let sqs: SqsLocal | undefined;
  let functions: FunctionThreads | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    // No new connections; requests in flight get their answers (a 202 means stored), idle
    // keep-alive connections close now, and anything still open after 10 s is cut.
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), 10_000);
    // Meanwhile the queue consumers take no new messages and finish the invocations they are in;
    // what is still queued is left to the redrive after the next start (the table has it all).
    timers.forEach(clearInterval);
    await Promise.all([closed, functions?.stopPolling()]);
    clearTimeout(cut);
    await functions?.drain(15_000);
    await functions?.stop();
    await Promise.all([sqs?.stop(), dynamo?.stop()]);
    releaseLock();
  };

  try {
    // A template that drifted from the manifests stops the start here, before anything is built on it.
    const synthesized = synthesizeTemplate(path.join(dataDir, 'cdk.out')).then((template) => {
      const model = modelOf(template);
      checkAgainstManifests(model, manifests);
      return { template, model };
    });
    // The functions are bundled while DynamoDB Local boots: they need only the template. Rebuilt
    // from the current sources at every start, and kept in the data dir to read when debugging.
    const bundled = synthesized.then(({ model }) =>
      bundleFunctions(PROJECT_ROOT, [...model.functions.values()], path.join(dataDir, 'functions')),
    );
    const dynamoStarted = killOrphanedJvms(path.join(dataDir, 'dynamodb'), log)
      .then(() => startDynamoLocal({ dbPath: path.join(dataDir, 'dynamodb') }))
      .then((started) => (dynamo = started));
    const sqsStarted = startSqsLocal().then((started) => (sqs = started));
    const [{ template, model }, bundles, dynamoLocal, sqsLocal] = await Promise.all([
      synthesized,
      bundled,
      dynamoStarted,
      sqsStarted,
    ]).catch(async (error: unknown) => {
      // A failed synthesis, manifest check or build: let the emulators finish starting, so that
      // the stop below (stopAll) stops them and frees the data dir, rather than leaving a JVM.
      await Promise.allSettled([dynamoStarted, sqsStarted]);
      throw error;
    });
    dynamo = dynamoLocal;
    sqs = sqsLocal;
    lock.recordGroup(dynamoLocal.pid);
    // Supervision: DynamoDB Local that dies under the platform is started again on the same port
    // and files (clients reconnect by themselves; queued work waits in the queues); if it keeps
    // dying, the platform stops with one clear line instead of answering 500s for ever.
    const restarts: number[] = [];
    const supervise = (current: DynamoLocal) =>
      current.onUnexpectedExit((why) => {
        if (stopping) return;
        const now = Date.now();
        restarts.push(now);
        while (restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length > MAX_RESTARTS)
          return fatal(`${why}; it died ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s: stopping`);
        log(`${why}; restarting it (${restarts.length} of ${MAX_RESTARTS} within ${RESTART_WINDOW_MS / 1000} s)`);
        startDynamoLocal({ dbPath: path.join(dataDir, 'dynamodb'), port: current.port })
          .then((next) => {
            if (stopping) return void next.stop();
            dynamo = next;
            lock.recordGroup(next.pid);
            supervise(next);
            log('DynamoDB Local is back');
          })
          .catch((error: unknown) => fatal(`DynamoDB Local could not be restarted: ${(error as Error).message}`));
      });
    supervise(dynamoLocal);
    fs.writeFileSync(path.join(dataDir, 'template.json'), JSON.stringify(template, null, 1));
    const provisioned = await provision(model, { dynamo: dynamo.endpoint, sqs: sqs.endpoint });
    // Where this run's emulators and queues are (operators, and `npm run bench:pipeline` reading DLQ depth).
    fs.writeFileSync(
      path.join(dataDir, 'endpoints.json'),
      JSON.stringify(
        {
          dynamodb: dynamo.endpoint,
          sqs: sqs.endpoint,
          tables: Object.fromEntries(provisioned.tableNames),
          queues: Object.fromEntries(provisioned.queueUrls),
        },
        null,
        1,
      ),
    );

    const publicBaseUrl = (process.env.CLEARWAY_PUBLIC_BASE_URL || `http://${host}:${port}`).replace(/\/+$/, '');
    // Every function in its own thread with only its own environment (local/function-environment.ts)
    // and its own connection pools; queue consumers poll their queues from their own thread.
    const local = {
      ...emulatorEnvironment(dynamo, sqs),
      CLEARWAY_PUBLIC_BASE_URL: publicBaseUrl,
      CLEARWAY_ADMIN_KEY: options.adminKey,
      // Certificate-signing keys (generated on first use, kept across restarts): shared/adapters/local-signer.ts
      CLEARWAY_CERTIFICATE_KEYS_DIR: path.join(dataDir, 'certificate-keys'),
    };
    const overrides: Record<string, string | undefined> = {
      CLEARWAY_STRANDED_AFTER_S: options.strandedAfterS !== undefined ? String(options.strandedAfterS) : undefined,
      CLEARWAY_WEBHOOK_SCHEDULE: options.webhookSchedule,
    };
    const lambdaHost = (functions = await FunctionThreads.start(
      bundles,
      sqs.endpoint,
      [...model.functions.values()].map((fn) => ({
        fn,
        env: functionEnvironment(fn, provisioned, { local, overrides, shell: process.env }),
        mappings: model.eventSources
          .filter((m) => m.functionId === fn.logicalId)
          .map((mapping) => ({
            mapping,
            queueUrl: provisioned.queueUrls.get(mapping.queueId)!,
            queueArn: provisioned.queueArns.get(mapping.queueId)!,
          })),
      })),
      (why) => fatal(why),
    ));
    // First-start data: the cloud runs the seed function from a deploy-time trigger, local mode at every start.
    for (const seed of [...model.functions.values()].filter((fn) => fn.entry === 'functions/seed.ts'))
      await lambdaHost.invoke(seed.logicalId, {});

    const strandedAfterS = options.strandedAfterS ?? strandedBound();
    for (const schedule of model.schedules) {
      const everyS = options.scheduleEveryS ?? Math.max(1, Math.min(schedule.everyS, Math.ceil(strandedAfterS / 2)));
      const run = () =>
        lambdaHost
          .invoke(schedule.functionId, { source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString() })
          .catch((error: unknown) => log(`scheduled ${schedule.functionId} failed: ${String(error)}`));
      void run(); // a restart redrives at once what the last run left
      timers.push(setInterval(run, everyS * 1000));
    }

    gateway = new HttpGateway(model.routes, lambdaHost, { publicBaseUrl });
    return { url: `http://${host}:${port}`, model, stop: stopAll, startupMs: Date.now() - started };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
