/**
 * Builds this repository's community node package and packs it like `npm publish` would, then
 * installs a packed tarball into an n8n user folder the way n8n itself installs community packages.
 */
import { execFileSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-handoff-guard';

/** Everything that decides the tarball's content; a change to any of these means a rebuild. */
const PACK_INPUTS = ['package.json', 'tsconfig.json', 'gulpfile.js', 'nodes', 'credentials'];

function hashInputs(): string {
  const hash = crypto.createHash('sha256');
  const visit = (rel: string) => {
    const abs = path.join(REPO_ROOT, rel);
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(rel, name));
    } else if (!rel.endsWith('.test.ts')) {
      hash.update(rel).update('\0').update(fs.readFileSync(abs)).update('\0');
    }
  };
  PACK_INPUTS.forEach(visit);
  return hash.digest('hex').slice(0, 16);
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/**
 * Returns the path of a tarball built from the current sources. Tarballs are kept under
 * `<cacheDir>/packs/<hash of sources>.tgz`, so an unchanged tree is not rebuilt (warm runs stay fast).
 */
export function buildAndPack(cacheDir: string): string {
  const dir = path.join(cacheDir, 'packs');
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, `${PACKAGE_NAME}-${hashInputs()}.tgz`);
  if (fs.existsSync(target)) return target;

  npm(['run', '--silent', 'build:nodes'], REPO_ROOT);
  const staging = fs.mkdtempSync(path.join(dir, 'staging-'));
  try {
    // --ignore-scripts: `prepare` would build a second time; we just built.
    const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', staging], REPO_ROOT);
    const [{ filename }] = JSON.parse(out) as { filename: string }[];
    fs.renameSync(path.join(staging, path.basename(filename)), target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

/**
 * Installs a tarball into `<userFolder>/.n8n/nodes` by the same steps as n8n 2.41's
 * CommunityPackagesService.downloadPackage: unpack into node_modules/<name>, drop dev/peer/optional
 * dependencies from its package.json, `npm install` its runtime dependencies there with scripts
 * off, and record it in nodes/package.json. npm runs on Node 24 so engines checks match n8n's runtime.
 */
export function installPackIntoUserFolder(tgz: string, userFolder: string, nodeBinDir: string): string {
  const nodesDir = path.join(userFolder, '.n8n', 'nodes');
  const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
  fs.rmSync(packageDir, { recursive: true, force: true });
  fs.mkdirSync(packageDir, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', packageDir, '--strip-components=1']);

  const pkgFile = path.join(packageDir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete pkg[field];
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));

  const env = { ...process.env, PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}` };
  if (Object.keys(pkg.dependencies ?? {}).length > 0) {
    npm(
      [
        'install',
        '--audit=false',
        '--fund=false',
        '--bin-links=false',
        '--install-strategy=shallow',
        '--ignore-scripts=true',
        '--package-lock=false',
        '--prefer-offline',
        '--loglevel=error',
      ],
      packageDir,
      env,
    );
  }

  const manifest = path.join(nodesDir, 'package.json');
  const current = fs.existsSync(manifest)
    ? JSON.parse(fs.readFileSync(manifest, 'utf8'))
    : { name: 'installed-nodes', private: true, dependencies: {} };
  current.dependencies = { ...current.dependencies, [PACKAGE_NAME]: pkg.version };
  fs.writeFileSync(manifest, JSON.stringify(current, null, 2));
  return packageDir;
}
