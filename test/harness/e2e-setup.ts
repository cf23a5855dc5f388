/**
 * How the e2e global setup hands its results (the packed tarball) to test files: jest runs
 * globalSetup in the parent process before it forks the workers, and workers inherit its
 * environment. Without a global setup (a file run on its own) startN8n packs by itself, which
 * is cached by source hash, so the answer is the same tarball either way.
 */
import fs from 'fs';

export interface E2eSetup {
  packTgz: string;
  cacheRoot: string;
}

const ENV = 'HANDOFF_E2E_SETUP';

export function writeSetup(setup: E2eSetup): void {
  process.env[ENV] = JSON.stringify(setup);
}

export function readSetup(): E2eSetup | undefined {
  const raw = process.env[ENV];
  if (!raw) return undefined;
  const setup = JSON.parse(raw) as E2eSetup;
  return fs.existsSync(setup.packTgz) ? setup : undefined;
}
