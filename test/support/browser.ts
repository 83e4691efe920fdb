/**
 * A real headless Chromium for the console's browser tests: the binary ships inside the
 * @sparticuz/chromium package (unpacked to /tmp on first use), driven by playwright-core, so a fresh
 * clone needs nothing but `npm install`. axe-core runs inside the page for accessibility checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

const DROPPED_FLAGS = ['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials'];

export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // The package's flags are tuned for Lambda. Leave out the ones that would make this a less
    // faithful browser: single-process (closing a context would end the browser) and those that
    // switch off the same-origin policy or mixed-content blocking.
    args: chromium.args.filter((a) => !DROPPED_FLAGS.some((d) => a.startsWith(d))),
    headless: true,
  });
}

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/** Runs axe-core (WCAG 2.1 A/AA rules) in the page and returns what it finds. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // The console's CSP allows only same-origin scripts, so inject axe through the DevTools protocol
  // (evaluate), not a <script> tag.
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/console');
