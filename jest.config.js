// One project per layer of confidence; `node test/run.js <suite>` picks them (see package.json scripts).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  // Jest 30 reads testTimeout only here, not per project; e2e files raise it for themselves.
  testTimeout: 30_000,
  projects: [
    project('unit'),
    project('monitor'),
    project('engine'),
    project('browser'),
    project('e2e', { globalSetup: '<rootDir>/test/harness/e2e-global-setup.ts' }),
  ],
};
