import { BASE_ENV, WORK_QUEUES_ENV, READ, WRITE, type FunctionManifest } from '../function-manifest.js';

/**
 * Declarations: intake (single and batch), reads and listings, amendments and cancellations (none
 * of them releases, so no signing keys; officers' steps are the officers function's). Intake
 * samples the work queues' backlog (at most once a second) to refuse before storing.
 */
export const declarations: FunctionManifest = {
  id: 'ApiDeclarations',
  entry: 'functions/http/declarations.ts',
  api: 'declarations',
  memoryMb: 512,
  timeoutS: 10,
  environment: {
    ...BASE_ENV,
    ...WORK_QUEUES_ENV,
    // Admission control (shared/app/admission.ts, contract section 16): the work queues' backlog
    // beyond which intake refuses with 503 + Retry-After before storing. In the cloud the audit
    // consumers drain thousands a second; a container serves one request at a time, so the
    // in-flight limit binds only locally (local/function-environment.ts sets local values).
    CLEARWAY_INTAKE_MAX_BACKLOG: '2000',
    // ...or 0.75 s of the drain the queues were seen to make, when that is more: the backlog is
    // judged by how long its work waits, and what waits longer than that, plus the ~200 ms the
    // pipeline takes over a declaration, misses the 1 s bound (docs/scaling.md).
    CLEARWAY_INTAKE_BACKLOG_SECONDS: '0.75',
    CLEARWAY_INTAKE_MAX_IN_FLIGHT: '64',
    // Intake's share of the 1 s bound: with another filing in flight here, refuse while even the
    // fastest write of each of the last two quarter seconds took longer (a congested store). Never
    // binds on a container with one request at a time, so in the cloud it is a guard, not a limit.
    CLEARWAY_INTAKE_WRITE_TARGET_MS: '100',
  },
  grants: {
    dynamodb: [...READ, ...WRITE, 'BatchGetItem'],
    queues: { audit: ['send', 'attributes'], notify: ['send', 'attributes'] },
  },
};
