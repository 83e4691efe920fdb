import { Duration, Validations } from 'aws-cdk-lib';
import { consolePages } from '../../functions/console.manifest.js';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { buildConsole } from '../../console/build.js';
import { ClearwayFunction } from './clearway-function.js';

/** The console's routes: pages, not API operations, so they are not in the OpenAPI document. */
export const CONSOLE_ROUTES = ['/console', '/console/{file}', '/verify', '/verify/{file}'];

/**
 * The web console and the public certificate check, served by the region's HTTP API: one small
 * function (functions/console.ts) with the static build bundled beside it, on four public GET routes.
 *
 * Why the HTTP API and not S3 + CloudFront:
 * - one origin for the pages and the API: no CORS, the page's CSP allows `connect-src 'self'` only,
 *   and the API key never crosses origins;
 * - the region deploys to the AWS China partition (cn-north-1), where a CloudFront distribution
 *   serves only an ICP-filed custom domain; the API's own endpoint needs nothing more;
 * - local mode serves the very same handler on the same routes from the synthesized template, so
 *   what the browser tests exercise is what is deployed;
 * - pay per use with nothing idle. The console is three small files (≈ 100 KB) with ETags, used by
 *   officers and enterprises, not a high-traffic site; a CDN can be put in front later without
 *   changing the pages.
 */
export class ConsoleHosting extends Construct {
  readonly function: ClearwayFunction;

  constructor(scope: Construct, id: string, props: { api: HttpApi }) {
    super(scope, id);
    // Build at synth (skipped when nothing changed), as NodejsFunction bundles code: deploys and
    // local starts always carry the current console.
    const { outDir } = buildConsole();
    // Its manifest (functions/console.manifest.ts) has no environment and no grants.
    this.function = new ClearwayFunction(this, 'Function', {
      entry: consolePages.entry,
      memorySize: consolePages.memoryMb,
      timeout: Duration.seconds(consolePages.timeoutS),
      staticDir: outDir,
    });
    const integration = new HttpLambdaIntegration('ConsoleIntegration', this.function);
    for (const path of CONSOLE_ROUTES) {
      const [route] = props.api.addRoutes({ path, methods: [HttpMethod.GET], integration });
      Validations.of(route!).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason: `GET ${path} serves the console's static pages; every call they make goes to a key-protected route`,
      });
    }
  }
}
