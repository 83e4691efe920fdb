/**
 * Every Lambda function of Clearway, one manifest each, as data beside its handler
 * (`functions/<name>.manifest.ts`, `functions/http/<name>.manifest.ts`; the shape is
 * functions/function-manifest.ts): entry, memory, timeout, environment, grants, queue event
 * sources, schedules. The stack (infra/clearway-stack.ts) builds each function from its manifest
 * and nothing else; the local runtime (local/) runs each function from the synthesized template,
 * in its own thread with only the environment its manifest gives it, and checks at start that the
 * template and the manifests agree.
 */
import type { FunctionManifest } from './function-manifest.js';
import { authorizer } from './authorizer.manifest.js';
import { auditWorker } from './audit-worker.manifest.js';
import { notifyWorker } from './notify-worker.manifest.js';
import { redrive } from './redrive.manifest.js';
import { seed } from './seed.manifest.js';
import { consolePages } from './console.manifest.js';
import { meta } from './http/meta.manifest.js';
import { principals } from './http/principals.manifest.js';
import { enterprises } from './http/enterprises.manifest.js';
import { declarations } from './http/declarations.manifest.js';
import { officers } from './http/officers.manifest.js';
import { rulesets } from './http/rulesets.manifest.js';
import { webhooks } from './http/webhooks.manifest.js';
import { stats } from './http/stats.manifest.js';
import { certificates } from './http/certificates.manifest.js';

export const manifests: readonly FunctionManifest[] = [
  authorizer,
  meta,
  principals,
  enterprises,
  declarations,
  officers,
  rulesets,
  webhooks,
  stats,
  certificates,
  redrive,
  auditWorker,
  notifyWorker,
  seed,
  consolePages,
];

export function manifestOf(entry: string): FunctionManifest | undefined {
  return manifests.find((m) => m.entry === entry);
}
