import { BASE_ENV, type FunctionManifest } from '../function-manifest.js';

/** Statistics: queries the counter items only. */
export const stats: FunctionManifest = {
  id: 'ApiStats',
  entry: 'functions/http/stats.ts',
  api: 'stats',
  memoryMb: 512,
  timeoutS: 10,
  environment: BASE_ENV,
  grants: { dynamodb: ['Query'] },
};
