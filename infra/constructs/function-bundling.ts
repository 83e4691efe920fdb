/**
 * How a Clearway function is bundled, in one place: the stack hands these options to
 * NodejsFunction (infra/constructs/clearway-function.ts) and the local runtime hands the same
 * options to esbuild (local/function-bundles.ts), so what runs locally is built as what is deployed.
 * Pure data: no CDK import, so the local runtime can read it without loading the CDK.
 */
export const FUNCTION_BUNDLING = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // Prefer each package's ES module build (the SDK's dist-es), as Lambda's bundle does.
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  // Bundle the SDK too: the versions tested are the versions deployed.
  external: [] as string[],
  // ESM output, but some dependencies still call require() for Node built-ins.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} as const;

/** The folder beside a bundle that holds the static files a function serves (ClearwayFunction's `staticDir`). */
export const STATIC_BESIDE_BUNDLE = 'static';
