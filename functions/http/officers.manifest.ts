import { BASE_ENV, CERTIFICATE_KEY_ENV, WORK_QUEUES_ENV, READ, secretArn, WRITE, type FunctionManifest } from '../function-manifest.js';

/**
 * Officers' work on declarations: worklist, inspection steps and follow-up checks (a release seals
 * and signs the certificate), overrides, parked declarations and their redrive (to the audit
 * queue). Apart from intake so that a peak of filings cannot hold up the steps that release
 * inspected goods: in the cloud reserve its concurrency (docs/scaling.md); locally it has its own
 * thread and connections.
 */
export const officers: FunctionManifest = {
  id: 'ApiOfficers',
  entry: 'functions/http/officers.ts',
  api: 'officers',
  memoryMb: 512,
  timeoutS: 10,
  environment: {
    ...BASE_ENV,
    ...WORK_QUEUES_ENV,
    SIGNING_KEY_SECRET_ARN: secretArn('signingKey'),
    ...CERTIFICATE_KEY_ENV,
  },
  grants: {
    dynamodb: [...READ, ...WRITE, 'BatchGetItem'],
    queues: { audit: ['send'], notify: ['send'] },
    secrets: ['signingKey'],
    certificateKeys: 'sign',
  },
};
