// n8n's own lint for community nodes, applied to what ships (nodes/, credentials/, package.json).
// Non-strict mode ("n8n": {"strict": false} in package.json) lets the monitor and tests live beside it.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
  { ignores: ['dist/**', 'monitor/**', 'test/**', 'bench/**', 'workflows-templates/**', 'node_modules/**', '*.js', '*.mjs'] },
  ...configWithoutCloudSupport,
  {
    files: ['package.json'],
    rules: {
      // The pack targets self-hosted n8n, which installs community packages with npm and so installs
      // their dependencies. Ours are pure JavaScript (Ajv for JSON Schema); the e2e suite installs the
      // packed tarball exactly that way. n8n Cloud's "no dependencies" rule does not apply.
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
    },
  },
];
