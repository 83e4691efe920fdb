/**
 * The CDK app: one Stage per regional deployment in config/region.json. Rolling Clearway out to a
 * new region is a new entry there and `npm run deploy`.
 */
import { App, Stage, Validations, type StageProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { allRegions, type RegionConfig } from '../shared/region.js';
import { ClearwayStack } from './clearway-stack.js';
import { acknowledgeNagFindings, NAG_ACKNOWLEDGEMENTS, type NagAcknowledgement } from './nag.js';

export class ClearwayStage extends Stage {
  readonly stack: ClearwayStack;
  constructor(
    scope: Construct,
    id: string,
    props: StageProps & { region: RegionConfig; production: boolean; nagAcknowledgements?: readonly NagAcknowledgement[] },
  ) {
    super(scope, id, props);
    this.stack = new ClearwayStack(this, 'Clearway', { region: props.region, production: props.production });
    acknowledgeNagFindings(this.stack, props.nagAcknowledgements);
  }
}

export type BuildOptions = {
  bundling?: boolean;
  stage?: string;
  nag?: boolean;
  outdir?: string;
  /** The cdk-nag findings to acknowledge (default: all of infra/nag.ts); tests leave one out. */
  nagAcknowledgements?: readonly NagAcknowledgement[];
};

export function buildApp(options: BuildOptions = {}): { app: App; stages: ClearwayStage[] } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      // CloudFormation's own template checks (e.g. property limits) fail synthesis, not a deploy.
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      ...(options.bundling === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const stageName = options.stage ?? (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
  const stages = allRegions.map(
    (region) =>
      new ClearwayStage(app, `${region.id}-${stageName}`, {
        region,
        production: stageName !== 'dev',
        nagAcknowledgements: options.nagAcknowledgements ?? NAG_ACKNOWLEDGEMENTS,
        env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: region.awsRegion },
      }),
  );
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stages };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  buildApp().app.synth();
}
