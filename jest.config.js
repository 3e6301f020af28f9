/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // FC_SEED=<n> replays every property suite from one seed.
  setupFiles: ['<rootDir>/__tests__/fixtures/fast-check-seed.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      // TS151002: ts-jest's notice about `module: node16`, printed for every file; harmless here.
      { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151002'] } },
    ],
  },
  moduleNameMapper: {
    '^converc-webhooks$': '<rootDir>/src/index.ts',
    '^converc-webhooks/(redis|testing|bullmq|postgres)$': '<rootDir>/src/$1/index.ts',
  },
  // A test that leaves a server or timer behind should fail loudly, not hang CI.
  testTimeout: 15000,
};
