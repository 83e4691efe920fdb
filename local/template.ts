/**
 * Reads the synthesized CloudFormation template into what the local runtime needs: tables, queues,
 * functions, HTTP routes, queue event sources and schedules. Local mode is provisioned from this
 * and nothing else, so local and cloud cannot drift.
 */
import fs from 'node:fs';
import type { FunctionManifest } from '../functions/function-manifest.js';

type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };
export type Template = { Resources: Record<string, Resource> };

export type TableModel = {
  logicalId: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: { IndexName: string; KeySchema: TableModel['keySchema']; Projection: { ProjectionType: string } }[];
  ttlAttribute?: string;
};
export type QueueModel = {
  logicalId: string;
  visibilityTimeoutS: number;
  retentionS?: number;
  deadLetter?: { targetLogicalId: string; maxReceiveCount: number };
};
export type FunctionModel = {
  logicalId: string;
  entry: string;
  handler: string;
  timeoutS: number;
  memoryMb: number;
  environment: Record<string, unknown>;
  /** Static files the handler serves from `static/` beside its bundle (relative to the project root). */
  staticDir?: string;
};
export type RouteModel = { routeKey: string; functionId: string; authorizerFunctionId?: string };
export type EventSourceModel = {
  functionId: string;
  queueId: string;
  batchSize: number;
  batchingWindowS: number;
  maxConcurrency: number;
  reportBatchItemFailures: boolean;
};
export type ScheduleModel = { functionId: string; everyS: number; expression: string };

export type PlatformModel = {
  tables: TableModel[];
  queues: QueueModel[];
  functions: Map<string, FunctionModel>;
  routes: RouteModel[];
  eventSources: EventSourceModel[];
  schedules: ScheduleModel[];
};

/** The logical ids an intrinsic (Ref, GetAtt, Join, ...) points at, depth first. */
export function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.Ref === 'string') return [obj.Ref];
    if (Array.isArray(obj['Fn::GetAtt'])) return [String(obj['Fn::GetAtt'][0])];
    return Object.values(obj).flatMap(referencedIds);
  }
  return [];
}

export function rateToSeconds(expression: string): number {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`unsupported schedule ${expression} (local mode runs rate(...) schedules)`);
  const unit = m[2]!.startsWith('minute') ? 60 : m[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(m[1]) * unit;
}

export function readTemplate(file: string): Template {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
}

export function modelOf(template: Template): PlatformModel {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const functionIds = new Set(ofType('AWS::Lambda::Function').map(([id]) => id));
  const functionIn = (value: unknown) => referencedIds(value).find((id) => functionIds.has(id));

  const tables: TableModel[] = [...ofType('AWS::DynamoDB::GlobalTable'), ...ofType('AWS::DynamoDB::Table')].map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    return {
      logicalId,
      keySchema: p.KeySchema,
      attributeDefinitions: p.AttributeDefinitions,
      globalSecondaryIndexes: (p.GlobalSecondaryIndexes ?? []).map((g: any) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection ?? { ProjectionType: 'ALL' },
      })),
      ttlAttribute: p.TimeToLiveSpecification?.Enabled ? p.TimeToLiveSpecification.AttributeName : undefined,
    };
  });

  const queues: QueueModel[] = ofType('AWS::SQS::Queue').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const redrive = p.RedrivePolicy;
    return {
      logicalId,
      visibilityTimeoutS: p.VisibilityTimeout ?? 30,
      retentionS: p.MessageRetentionPeriod,
      ...(redrive
        ? { deadLetter: { targetLogicalId: referencedIds(redrive.deadLetterTargetArn)[0]!, maxReceiveCount: redrive.maxReceiveCount } }
        : {}),
    };
  });

  const functions = new Map<string, FunctionModel>();
  for (const [logicalId, r] of ofType('AWS::Lambda::Function')) {
    const entry = r.Metadata?.['clearway:entry'];
    if (typeof entry !== 'string') continue; // not one of ours (e.g. CDK's custom-resource helpers)
    functions.set(logicalId, {
      logicalId,
      entry,
      handler: r.Metadata?.['clearway:handler'] ?? 'handler',
      timeoutS: r.Properties?.Timeout ?? 3,
      memoryMb: r.Properties?.MemorySize ?? 128,
      environment: r.Properties?.Environment?.Variables ?? {},
      ...(typeof r.Metadata?.['clearway:static'] === 'string' ? { staticDir: r.Metadata['clearway:static'] } : {}),
    });
  }

  const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, functionIn(r.Properties?.IntegrationUri)]));
  const authorizers = new Map(ofType('AWS::ApiGatewayV2::Authorizer').map(([id, r]) => [id, functionIn(r.Properties?.AuthorizerUri)]));
  const routes: RouteModel[] = ofType('AWS::ApiGatewayV2::Route').map(([id, r]) => {
    const integrationId = referencedIds(r.Properties?.Target)[0];
    const functionId = integrationId ? integrations.get(integrationId) : undefined;
    if (!functionId) throw new Error(`route ${id} has no Lambda integration`);
    const authorizerId = referencedIds(r.Properties?.AuthorizerId)[0];
    return {
      routeKey: r.Properties!.RouteKey as string,
      functionId,
      ...(authorizerId ? { authorizerFunctionId: authorizers.get(authorizerId)! } : {}),
    };
  });

  const eventSources: EventSourceModel[] = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => {
    const p = r.Properties ?? {};
    return {
      functionId: functionIn(p.FunctionName)!,
      queueId: referencedIds(p.EventSourceArn)[0]!,
      batchSize: p.BatchSize ?? 10,
      batchingWindowS: p.MaximumBatchingWindowInSeconds ?? 0,
      maxConcurrency: p.ScalingConfig?.MaximumConcurrency ?? 2,
      reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    };
  });

  const schedules: ScheduleModel[] = ofType('AWS::Events::Rule').flatMap(([, r]) => {
    const expression = r.Properties?.ScheduleExpression as string | undefined;
    if (!expression) return [];
    return (r.Properties?.Targets ?? []).flatMap((t: any) => {
      const functionId = functionIn(t.Arn);
      return functionId ? [{ functionId, everyS: rateToSeconds(expression), expression }] : [];
    });
  });

  return { tables, queues, functions, routes, eventSources, schedules };
}

/** Synthesizes the CDK app (no CDK bundling, no nag: local/function-bundles.ts bundles the handlers itself) and returns its template. */
export async function synthesizeTemplate(outdir: string): Promise<Template> {
  const { buildApp } = await import('../infra/app.js');
  const { stages } = buildApp({ bundling: false, nag: false, outdir });
  const stage = stages[0]!;
  const assembly = stage.synth();
  const artifact = assembly.getStackArtifact(stage.stack.artifactId);
  return artifact.template as Template;
}

/**
 * Local mode runs what the template says; the template was built from the manifests. This checks
 * the two agree (a stack change that bypasses a manifest, or a stale template, stops the start).
 */
export function checkAgainstManifests(model: PlatformModel, manifests: readonly FunctionManifest[]): void {
  const problems: string[] = [];
  const byEntry = new Map(manifests.map((m) => [m.entry, m]));
  const seen = new Set<string>();
  for (const fn of model.functions.values()) {
    const manifest = byEntry.get(fn.entry);
    if (!manifest) {
      if (fn.entry.startsWith('functions/')) problems.push(`${fn.entry} has no manifest`);
      continue;
    }
    seen.add(fn.entry);
    const templateVars = Object.keys(fn.environment)
      .filter((v) => v !== 'NODE_OPTIONS')
      .sort();
    const manifestVars = Object.keys(manifest.environment).sort();
    if (templateVars.join() !== manifestVars.join())
      problems.push(`${fn.entry}: the template gives ${templateVars.join(', ')}; its manifest ${manifestVars.join(', ')}`);
    if (fn.timeoutS !== manifest.timeoutS || fn.memoryMb !== manifest.memoryMb)
      problems.push(
        `${fn.entry}: timeout/memory ${fn.timeoutS} s/${fn.memoryMb} MB in the template, ${manifest.timeoutS} s/${manifest.memoryMb} MB in its manifest`,
      );
    const sources = model.eventSources.filter((s) => s.functionId === fn.logicalId);
    const describe = (s: { batchSize: number; maxConcurrency: number; window: number }) => `${s.batchSize}/${s.maxConcurrency}/${s.window}`;
    const fromTemplate = sources.map((s) => describe({ ...s, window: s.batchingWindowS })).sort();
    const fromManifest = (manifest.events ?? []).map((e) => describe({ ...e, window: e.maxBatchingWindowS ?? 0 })).sort();
    if (fromTemplate.join() !== fromManifest.join())
      problems.push(
        `${fn.entry}: event sources (batch/concurrency/window) ${fromTemplate.join(' ')} in the template, ${fromManifest.join(' ')} in its manifest`,
      );
  }
  for (const m of manifests) if (!seen.has(m.entry)) problems.push(`${m.entry} has a manifest but is not in the template`);
  if (problems.length) throw new Error(`the template and the function manifests disagree:\n  ${problems.join('\n  ')}`);
}
