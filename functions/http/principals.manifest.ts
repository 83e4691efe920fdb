import { BASE_ENV, type FunctionManifest } from '../function-manifest.js';

/** POST /principals: reads the enterprise, puts the principal. */
export const principals: FunctionManifest = {
  id: 'ApiPrincipals',
  entry: 'functions/http/principals.ts',
  api: 'principals',
  memoryMb: 512,
  timeoutS: 10,
  environment: BASE_ENV,
  grants: { dynamodb: ['GetItem', 'PutItem'] },
};
