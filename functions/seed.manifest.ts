import { BASE_ENV, type FunctionManifest } from './function-manifest.js';

/** First-start data (the default rule set), after every deploy; idempotent. */
export const seed: FunctionManifest = {
  id: 'Seed',
  entry: 'functions/seed.ts',
  memoryMb: 512,
  timeoutS: 60,
  environment: BASE_ENV,
  grants: { dynamodb: ['GetItem', 'PutItem', 'ConditionCheckItem'] },
  afterDeploy: true,
};
