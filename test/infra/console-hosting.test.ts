/**
 * The console's hosting: public GET routes on the region's HTTP API to one function whose bundle
 * carries the static build. Bundling is ON here (one small function), so what is checked is the
 * deployable artifact itself: the bundled handler, loaded from cdk.out, serves the pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { CONSOLE_ROUTES, ConsoleHosting } from '../../infra/constructs/console-hosting.js';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearway-console-cdk-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

let template: Template;
let assetDir: string;

beforeAll(() => {
  const app = new App({ outdir });
  const stack = new Stack(app, 'ConsoleOnly');
  new ConsoleHosting(stack, 'Console', { api: new HttpApi(stack, 'Api') });
  const assembly = app.synth();
  template = Template.fromStack(stack);
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (r) => r.Metadata?.['clearway:entry'] === 'functions/console.ts',
  )!;
  // The code asset is staged as cdk.out/asset.<hash>/ and uploaded as <hash>.zip.
  assetDir = path.join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
});

describe('console hosting', () => {
  it('routes the four page paths, without the API-key authorizer, to the console function', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(CONSOLE_ROUTES.map((p) => `GET ${p}`).sort());
    for (const r of routes) expect(r.AuthorizationType, r.RouteKey).toBe('NONE');
  });

  it('bundles the static build beside the handler, and the bundled handler serves it with its security headers', async () => {
    expect(fs.existsSync(path.join(assetDir, 'static/console/index.html'))).toBe(true);
    expect(fs.existsSync(path.join(assetDir, 'static/verify/verify.js'))).toBe(true);
    // The build tool must not end up in the Lambda bundle.
    expect(fs.readFileSync(path.join(assetDir, 'index.mjs'), 'utf8')).not.toContain('esbuild');
    const { handler } = (await import(pathToFileURL(path.join(assetDir, 'index.mjs')).href)) as typeof import('../../functions/console.js');
    const page = await handler({ rawPath: '/console', headers: {} } as never);
    expect(page.statusCode).toBe(200);
    expect(Buffer.from(page.body!, 'base64').toString()).toContain('<script type="module" src="/console/app.js">');
    expect(page.headers!['content-security-policy']).toContain("connect-src 'self'");
    const again = await handler({ rawPath: '/console', headers: { 'if-none-match': String(page.headers!.etag) } } as never);
    expect(again.statusCode).toBe(304);
    expect((await handler({ rawPath: '/console/..%2f..%2fpackage.json', headers: {} } as never)).statusCode).toBe(404);
    expect((await handler({ rawPath: '/console/.build-hash', headers: {} } as never)).statusCode).toBe(404);
  });
});
