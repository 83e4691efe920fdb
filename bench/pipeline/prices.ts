/**
 * Published AWS on-demand prices the cost model uses: US East (N. Virginia), us-east-1, in USD,
 * first pricing tier, free tiers ignored. Looked up on 2026-12-02 from the AWS pricing pages and
 * pages quoting them (docs/cost.md lists the sources). The region config's own `awsRegion`
 * (cn-north-1, priced in CNY by Sinnet on amazonaws.cn) is not priced here.
 * Update the date with the numbers.
 */
export const PRICES = {
  region: 'us-east-1',
  currency: 'USD',
  retrievedOn: '2026-12-02',
  lambda: {
    /** per request (invocation) */
    requestPerMillion: 0.2,
    /** arm64 (Graviton), first 7.5 billion GB-s a month */
    arm64PerGbSecond: 0.0000133334,
  },
  apiGatewayHttp: {
    /** HTTP API, first 300 million requests a month; metered in 512 KB increments */
    requestPerMillion: 1.0,
    meteredIncrementKiB: 512,
  },
  sqs: {
    /** standard queue, first 100 billion requests a month; each 64 KiB chunk of a payload is a request */
    requestPerMillion: 0.4,
    chunkKiB: 64,
  },
  dynamodb: {
    /** on-demand, standard table class */
    writeRequestUnitPerMillion: 0.625,
    readRequestUnitPerMillion: 0.125,
    storagePerGbMonth: 0.25,
  },
  cloudwatchLogs: {
    /** standard log class ingestion (Lambda logs: first tier of the vended-log tiers) */
    ingestionPerGb: 0.5,
  },
} as const;

/**
 * Assumptions the meters cannot measure locally (stated in the report and docs/cost.md):
 * - Lambda's log lines per invocation (JSON format: platform.start + platform.report) ≈ 0.6 KB,
 *   plus ≈ 0.25 KB per INFO line the code writes (the audit worker logs one per declaration);
 * - the SQS event source mapping's ReceiveMessage and DeleteMessageBatch requests are not metered
 *   locally (the local poller stands in for Lambda's): counted as one receive and one delete per
 *   `esmMessagesPerRequest` messages consumed, 1 by default (the worst case: batches of one).
 */
export const ASSUMPTIONS = {
  logBytesPerInvocation: 600,
  logBytesPerAuditedDeclaration: 250,
  esmMessagesPerRequest: 1,
};
