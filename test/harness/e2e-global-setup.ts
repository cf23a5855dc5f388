/**
 * Once per `jest --selectProjects e2e` run: make sure the pinned n8n is provisioned and pack this
 * repository's node package, so every test file installs the same tarball. Both steps are cached
 * (n8n by provision-n8n.sh, the tarball by a hash of its sources), so a warm run costs ~1 s.
 */
import { buildAndPack } from './pack';
import { provisionN8n } from './provision';
import { writeSetup } from './e2e-setup';

export default async function e2eGlobalSetup(): Promise<void> {
  const started = Date.now();
  const install = provisionN8n();
  const packTgz = buildAndPack(install.cacheRoot);
  writeSetup({ packTgz, cacheRoot: install.cacheRoot });
  console.log(`\n[e2e] n8n ${install.n8nVersion} ready, pack ${packTgz} (${Date.now() - started} ms)`);
}
