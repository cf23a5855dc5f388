/**
 * Where the pinned n8n and its Node 24 live. Provisioning itself is provision-n8n.sh (shared with
 * CI and shell users); this wraps it and derives the paths the harness needs.
 */
import { execFileSync } from 'child_process';
import path from 'path';

export interface N8nInstall {
  cacheRoot: string;
  nodeDir: string;
  /** Node 24: n8n 2.41 refuses older runtimes. */
  nodeBin: string;
  n8nBin: string;
  n8nVersion: string;
}

const N8N_VERSION = process.env.HANDOFF_N8N_VERSION ?? '2.41.1';
const NODE24_VERSION = process.env.HANDOFF_NODE24_VERSION ?? '24.21.0';

/** Idempotent and locked (flock): cheap when the cache is warm, 4-6 minutes when cold. */
export function provisionN8n(): N8nInstall {
  const script = path.join(__dirname, 'provision-n8n.sh');
  const cacheRoot = execFileSync('bash', [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HANDOFF_N8N_VERSION: N8N_VERSION, HANDOFF_NODE24_VERSION: NODE24_VERSION },
    maxBuffer: 1 << 20,
  }).trim();
  const nodeDir = path.join(cacheRoot, `node-${NODE24_VERSION}`);
  return {
    cacheRoot,
    nodeDir,
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    n8nBin: path.join(cacheRoot, `n8n-${N8N_VERSION}`, 'node_modules', 'n8n', 'bin', 'n8n'),
    n8nVersion: N8N_VERSION,
  };
}
