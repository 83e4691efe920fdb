/**
 * GET /console, /console/{file}, /verify, /verify/{file}: the web console's static build, served by
 * the HTTP API itself (see infra/constructs/console-hosting.ts for why not S3 + CloudFront). The
 * pages are public; everything they show comes from the key-protected API on the same origin.
 *
 * The build (console/build.ts, run at synth) is beside this module's bundle as `static/`: the stack
 * copies it there for Lambda, and the local runtime links it there beside its local bundle
 * (local/function-bundles.ts), so both serve the same files the same way.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Scripts, styles and API calls only from this origin; no framing; no referrer leaves the page. */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

type File = { body: Buffer; type: string; etag: string };
const PAGES = new Set(['console', 'verify']);
// Beside the bundle: Lambda's LAMBDA_TASK_ROOT (the local runtime sets it too); a bundle loaded by
// itself (test/infra/console-hosting.test.ts) looks beside its own file.
const STATIC = path.join(process.env.LAMBDA_TASK_ROOT ?? import.meta.dirname, 'static');
const files = new Map<string, File | null>();

function load(page: string, file: string): File | null {
  const key = `${page}/${file}`;
  if (files.has(key)) return files.get(key)!;
  const dir = path.join(STATIC, page);
  const full = path.join(dir, file);
  let found: File | null = null;
  // Only plain file names directly in the page's directory: no traversal, no dotfiles.
  if (/^[\w-]+\.(html|js|css)$/.test(file) && path.dirname(full) === dir && fs.existsSync(full)) {
    const body = fs.readFileSync(full);
    found = {
      body,
      type: TYPES[path.extname(file)]!,
      etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
  }
  files.set(key, found);
  return found;
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const [, page = '', file = 'index.html', ...more] = event.rawPath.split('/');
  const found = PAGES.has(page) && more.length === 0 ? load(page, file || 'index.html') : null;
  if (!found) {
    return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_SECURITY_HEADERS }, body: 'Not Found' };
  }
  const headers = { 'content-type': found.type, 'cache-control': 'no-cache', etag: found.etag, ...CONSOLE_SECURITY_HEADERS };
  if (event.headers?.['if-none-match'] === found.etag) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: found.body.toString('base64'), isBase64Encoded: true };
}
