import { BASE_ENV, secretArn, type FunctionManifest } from './function-manifest.js';

/** The API-key authorizer of every key route: reads principals by key hash, and the admin key. */
export const authorizer: FunctionManifest = {
  id: 'Authorizer',
  entry: 'functions/authorizer.ts',
  api: 'authorizer',
  memoryMb: 256,
  timeoutS: 10,
  environment: { ...BASE_ENV, ADMIN_KEY_SECRET_ARN: secretArn('adminKey') },
  grants: { dynamodb: ['GetItem'], secrets: ['adminKey'] },
};
