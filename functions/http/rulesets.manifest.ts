import { BASE_ENV, READ, WRITE, type FunctionManifest } from '../function-manifest.js';

/** Rule sets: drafts, publishing, simulation. Simulation replays up to 5,000 declarations: it gets API Gateway's full 29 s. */
export const rulesets: FunctionManifest = {
  id: 'ApiRulesets',
  entry: 'functions/http/rulesets.ts',
  api: 'rulesets',
  memoryMb: 512,
  timeoutS: 29,
  environment: BASE_ENV,
  grants: { dynamodb: [...READ, ...WRITE] },
};
