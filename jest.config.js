/** Unit tests live beside the code; end-to-end and contract suites under test/ run real servers. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] };

module.exports = {
  // Generous for suites that start servers; unit tests finish in milliseconds anyway.
  testTimeout: 60_000,
  // The default output, then every skipped test by name: a suite that cannot run here says why (test/README.md).
  reporters: ['default', '<rootDir>/test/skipped-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.contract-spec.ts'],
      transform,
    },
  ],
};
