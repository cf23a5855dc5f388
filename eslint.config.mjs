// Two lint regimes in one file:
// - what ships to n8n (nodes/, credentials/, package.json) gets n8n's own lint for community nodes, as n8n's
//   verification would check it. Non-strict mode ("n8n": {"strict": false} in package.json) lets the monitor
//   and tests live beside it;
// - the monitor, the tests and the benchmarks get ESLint's and typescript-eslint's recommended rules (no
//   n8n rules: they are not node code). Formatting is Prettier's job (.prettierrc.json), not the linter's.
import js from '@eslint/js';
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';

const NOT_NODE_CODE = ['monitor/**', 'test/**', 'bench/**', 'scripts/**'];

export default [
  { ignores: ['**/dist/**', 'workflows-templates/**', '**/node_modules/**', 'test/fixtures/**', 'test-artifacts/**', 'coverage/**'] },
  // n8n's blocks match **/*.ts; keep them on node code.
  ...configWithoutCloudSupport.map((block) =>
    block.files ? { ...block, ignores: [...(block.ignores ?? []), ...NOT_NODE_CODE, '*.js', '*.mjs'] } : block,
  ),
  {
    files: ['package.json'],
    rules: {
      // A deliberate exception to n8n's own rule, not a Cloud-only one: no-runtime-dependencies is on in
      // both of n8n's configs (recommended and recommendedWithoutN8nCloudSupport, which we use). Its
      // reason holds everywhere: a dependency is installed into the runtime every community node shares
      // and can clash with what n8n or another package ships; n8n asks for peerDependencies or bundling.
      // We keep Ajv (JSON Schema for Preflight Validate; ajv-formats) as pinned, pure-JavaScript
      // dependencies, installed the way n8n's community-package install does it (the e2e suite installs
      // the packed tarball so). It is one of the reasons n8n cannot verify the package (README,
      // "Compatibility"); bundling Ajv into dist would let this rule go back on.
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
    },
  },
  ...tseslint.config({
    files: ['monitor/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a parameter kept for its position (express's 4-argument error
      // handler) or a name destructured only to leave it out.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  }),
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read loose JSON answers and poke at n8n's and Playwright's untyped corners; a cast to
      // `any` there is a probe, not a design. require() loads a module fresh inside jest.isolateModules.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
];
