/**
 * Builds the web console (console/src → console/dist): one esbuild call, synchronous, skipped when
 * nothing it reads has changed. Called by the local runtime at start and by the CDK construct at
 * synth (as NodejsFunction bundles its code), so `npm start`, `npm test` and `npm run deploy` on a
 * fresh clone always serve the current sources without a separate build step.
 *
 * Output layout, under dist/<source hash>/ (the same paths locally and behind CloudFront):
 *   console/index.html, console/app.js, console/styles.css   → /console/
 *   verify/index.html,  verify/verify.js, verify/styles.css  → /verify/
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

export const CONSOLE_ROOT = import.meta.dirname;
export const CONSOLE_DIST = path.join(CONSOLE_ROOT, 'dist');
const INPUTS = [path.join(CONSOLE_ROOT, 'src'), path.join(CONSOLE_ROOT, 'public'), path.join(CONSOLE_ROOT, 'build.ts')];
const STAMP = '.build-hash';
const PAGES = [
  { dir: 'console', entry: 'main.tsx', out: 'app' },
  { dir: 'verify', entry: 'verify.tsx', out: 'verify' },
];

function filesUnder(p: string): string[] {
  if (!fs.existsSync(p)) return [];
  if (fs.statSync(p).isFile()) return [p];
  return fs
    .readdirSync(p, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => filesUnder(path.join(p, e.name)));
}

/** A hash of every source the build reads (contents, not times: a fresh clone has new mtimes). */
export function consoleSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of INPUTS.flatMap(filesUnder)) {
    hash.update(path.relative(CONSOLE_ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds the current sources into `<root>/<hash>/` unless that build exists, and returns its path.
 * A build is written to a temporary directory and renamed into place, so several platforms starting
 * at once (the e2e tests do) never see a half-written build; older builds beyond the last three are
 * removed.
 */
export function buildConsole(root = CONSOLE_DIST): { outDir: string; rebuilt: boolean; hash: string } {
  const hash = consoleSourceHash().slice(0, 16);
  const outDir = path.join(root, hash);
  if (fs.existsSync(path.join(outDir, STAMP))) return { outDir, rebuilt: false, hash };
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, '.tmp-'));
  fs.chmodSync(tmp, 0o755);
  try {
    for (const page of PAGES) {
      const dir = path.join(tmp, page.dir);
      buildSync({
        entryPoints: { [page.out]: path.join(CONSOLE_ROOT, 'src', page.entry) },
        outdir: dir,
        bundle: true,
        minify: true,
        format: 'esm',
        target: ['es2022'],
        jsx: 'automatic',
        jsxImportSource: 'preact',
        legalComments: 'none',
        logLevel: 'error',
        absWorkingDir: CONSOLE_ROOT,
      });
      fs.copyFileSync(path.join(CONSOLE_ROOT, 'public', `${page.dir}.html`), path.join(dir, 'index.html'));
      fs.copyFileSync(path.join(CONSOLE_ROOT, 'public', 'styles.css'), path.join(dir, 'styles.css'));
    }
    fs.writeFileSync(path.join(tmp, STAMP), hash);
    try {
      fs.renameSync(tmp, outDir);
    } catch (error) {
      // Another process renamed the same build into place first: theirs is identical.
      if (!fs.existsSync(path.join(outDir, STAMP))) throw error;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(root, hash);
  return { outDir, rebuilt: true, hash };
}

function pruneOldBuilds(root: string, keep: string): void {
  const builds = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && e.name !== keep)
    .map((e) => ({ dir: path.join(root, e.name), at: fs.statSync(path.join(root, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(2)) fs.rmSync(old.dir, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const started = Date.now();
  const result = buildConsole(process.argv[2] ? path.resolve(process.argv[2]) : CONSOLE_DIST);
  console.log(
    `console ${result.rebuilt ? 'built' : 'up to date'} in ${Date.now() - started} ms → ${path.relative(process.cwd(), result.outDir)}`,
  );
}
