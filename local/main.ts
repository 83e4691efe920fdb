/**
 * `npm start`: Clearway on this machine. Serves the API at http://127.0.0.1:$PORT with DynamoDB
 * Local and an SQS emulator it starts itself; data stays in $CLEARWAY_DATA_DIR across restarts.
 */
import { LOCAL_DEFAULT_ADMIN_KEY } from '../shared/adapters/admin-key.js';
import { StartupError } from './emulators.js';
import { describeNode } from './node-runtime.js';
import { startPlatform } from './platform.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const adminKey = env.CLEARWAY_ADMIN_KEY || LOCAL_DEFAULT_ADMIN_KEY;

function numberFrom(name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`clearway: ${name} must be a non-negative number of seconds, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main() {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`clearway: PORT must be a port number, got "${env.PORT}"`);
    process.exit(2);
  }
  const schedule = env.CLEARWAY_WEBHOOK_SCHEDULE;
  if (schedule && !/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/.test(schedule)) {
    console.error(`clearway: CLEARWAY_WEBHOOK_SCHEDULE must be comma-separated seconds like 1,2,4, got "${schedule}"`);
    process.exit(2);
  }
  const platform = await startPlatform({
    port,
    dataDir: env.CLEARWAY_DATA_DIR || '.clearway',
    adminKey,
    strandedAfterS: numberFrom('CLEARWAY_STRANDED_AFTER_S'),
    scheduleEveryS: numberFrom('CLEARWAY_SCHEDULE_EVERY_S'),
    webhookSchedule: schedule,
    log: (line) => console.error(`clearway: ${line}`),
  });
  console.log(`Clearway is up at ${platform.url} (started in ${(platform.startupMs / 1000).toFixed(1)} s)`);
  console.log(`  runtime:  ${describeNode()}`);
  console.log(`  health:   curl ${platform.url}/health`);
  console.log(`  API docs: ${platform.url}/openapi.json`);
  console.log(`  web console: ${platform.url}/console (certificate check: ${platform.url}/verify)`);
  console.log(
    `  get a key: curl -X POST ${platform.url}/principals -H 'Authorization: Bearer ${adminKey === LOCAL_DEFAULT_ADMIN_KEY ? adminKey : '$CLEARWAY_ADMIN_KEY'}' \\`,
  );
  console.log(`             -H 'Content-Type: application/json' -d '{"kind":"officer","bureau":"SD","roles":["credit"]}'`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`clearway: ${signal}: finishing in-flight work and stopping`);
    await platform.stop();
    console.log('clearway: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(
    `clearway: ${error instanceof StartupError ? error.message : `failed to start: ${(error as Error)?.stack ?? String(error)}`}`,
  );
  process.exit(1);
});
