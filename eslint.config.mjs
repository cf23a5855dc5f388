// n8n's own lint for community nodes, applied to what ships (nodes/, credentials/, package.json).
// Non-strict mode ("n8n": {"strict": false} in package.json) lets the monitor and tests live beside it.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
  { ignores: ['dist/**', 'monitor/**', 'test/**', 'bench/**', 'workflows-templates/**', 'node_modules/**', '*.js', '*.mjs'] },
  ...configWithoutCloudSupport,
  {
    files: ['package.json'],
    rules: {
      // A deliberate exception to n8n's own rule, not a Cloud-only one: no-runtime-dependencies is on in
      // both of n8n's configs (recommended and recommendedWithoutN8nCloudSupport, which we use). Its
      // reason holds everywhere: a dependency is installed into the runtime every community node shares
      // and can clash with what n8n or another package ships; n8n asks for peerDependencies or bundling.
      // We keep Ajv (JSON Schema for Preflight Validate; ajv-formats) as pinned, pure-JavaScript
      // dependencies, installed the way n8n's community-package install does it (the e2e suite installs
      // the packed tarball so). It is one of the reasons n8n cannot verify the package (docs/n8n-editor.md,
      // "Compatibility"); bundling Ajv into dist would let this rule go back on.
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
    },
  },
];
