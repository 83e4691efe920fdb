import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allRoutes } from '../../shared/api/routes.js';
import type { ApiFunctionName } from '../../shared/http/route.js';

export type HttpApiProps = {
  functions: Record<ApiFunctionName, IFunction | undefined>;
  authorizer: IFunction;
};

/**
 * The HTTP API: exactly the routes of `shared/api/routes.ts`, each to its capability's function,
 * key-protected routes behind the API-key authorizer, everything else to the meta function's
 * `$default` handler (404/405 as problem documents).
 */
export class ClearwayHttpApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const integrations = new Map<ApiFunctionName, HttpLambdaIntegration>();
    const integrationOf = (name: ApiFunctionName) => {
      const fn = props.functions[name];
      if (!fn) throw new Error(`no function for ${name}`);
      let integration = integrations.get(name);
      if (!integration) integrations.set(name, (integration = new HttpLambdaIntegration(`${name}Integration`, fn)));
      return integration;
    };
    // No identity source and no caching: the authorizer must run for requests without a key too,
    // so that the handler, not API Gateway, answers them with a problem document.
    const authorizer: IHttpRouteAuthorizer = new HttpLambdaAuthorizer('ApiKeyAuthorizer', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    this.api = new HttpApi(this, 'Api', {
      description: 'Clearway public API',
      defaultIntegration: integrationOf('meta'),
      createDefaultStage: true,
    });
    for (const route of allRoutes) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.fn),
        ...(route.auth === 'key' ? { authorizer } : {}),
      });
      if (route.auth === 'public') {
        Validations.of(created!).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by contract (section 2): it needs no API key`,
        });
      }
    }
    Validations.of(this.api.node.findChild('DefaultRoute')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason: 'The $default route only answers 404/405 problem documents for paths and methods the API does not have',
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        authorizerError: '$context.authorizer.error',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 5000, throttlingRateLimit: 2000 };
    new CfnOutput(this, 'Url', { value: this.api.apiEndpoint });
  }
}
