/**
 * Serves the web console's static build locally: `/console` (the app) and `/verify` (the public
 * certificate check), with the same security headers CloudFront adds in the cloud
 * (infra/constructs/console-hosting.ts). Everything else goes on to the HTTP API emulation.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { buildConsole } from '../console/build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One policy for both hosts: scripts and styles only from this origin, API calls only to it. */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export type StaticHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** Builds the console if its sources changed, then answers the requests under /console and /verify. */
export function consoleStatic(): StaticHandler {
  const { outDir } = buildConsole();
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    const m = /^\/(console|verify)(\/.*)?$/.exec(pathname);
    if (!m) return false;
    const rest = m[2] ?? '';
    if (rest === '') {
      // `/console` → `/console/` so the page's relative asset paths resolve under it.
      res.writeHead(308, { location: `/${m[1]}/` }).end();
      return true;
    }
    const file = path.join(outDir, m[1]!, rest === '/' ? 'index.html' : path.normalize(rest));
    if (!file.startsWith(path.join(outDir, m[1]!) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_SECURITY_HEADERS }).end('Not Found');
      return true;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      ...CONSOLE_SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
