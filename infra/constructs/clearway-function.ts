import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, CfnFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLING, STATIC_BESIDE_BUNDLE } from './function-bundling.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export type ClearwayFunctionProps = {
  /** Source file relative to the project root, e.g. `functions/http/declarations.ts`. */
  entry: string;
  handler?: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /**
   * A directory (absolute) of static files the handler serves: copied beside the bundle as
   * `static/`, and named in the template's metadata (`clearway:static`, relative to the project
   * root) so the local runtime puts the same files beside its local bundle.
   */
  staticDir?: string;
};

/**
 * Every Lambda of Clearway: Node 24 on arm64, bundled by the locally installed esbuild (never
 * Docker) into minified ESM with source maps (infra/constructs/function-bundling.ts). The source
 * entry and handler are written to the template's metadata so the local runtime bundles and runs
 * the very same module with the same options.
 */
export class ClearwayFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ClearwayFunctionProps) {
    const handler = props.handler ?? 'handler';
    // Own role and log group: the role may write only this function's logs (no managed policy).
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: path.join(PROJECT_ROOT, props.entry),
      handler,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        minify: FUNCTION_BUNDLING.minify,
        sourceMap: FUNCTION_BUNDLING.sourcemap,
        format: FUNCTION_BUNDLING.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: FUNCTION_BUNDLING.target,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        externalModules: [...FUNCTION_BUNDLING.external],
        banner: FUNCTION_BUNDLING.banner,
        forceDockerBundling: false,
        ...(props.staticDir
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => [
                  `cp -R "${props.staticDir}" "${outputDir}/${STATIC_BESIDE_BUNDLE}"`,
                ],
              },
            }
          : {}),
      },
    });
    const cfn = this.node.defaultChild as CfnFunction;
    cfn.addMetadata('clearway:entry', props.entry);
    cfn.addMetadata('clearway:handler', handler);
    if (props.staticDir) cfn.addMetadata('clearway:static', path.relative(PROJECT_ROOT, props.staticDir));
  }
}
