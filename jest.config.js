/**
 * Unit (*.spec.ts), real-database (*.int-spec.ts) and HTTP (*.e2e-spec.ts) tests, one runner.
 * Nest 12 ships as ES modules, which Node 20 loads through require() but Jest does not: tests use
 * CommonJS copies of those packages (tests/jest/esm-cjs-mirror.js), built once per install.
 */
const { mirrorModuleNameMapper } = require('./tests/jest/esm-cjs-mirror');

const moduleNameMapper = {
  '^@earmark/(domain|application|event-store|projections|audit|notice-import)$': '<rootDir>/libs/$1/src/index.ts',
  '^@earmark/event-store/(sqlite|postgres|kurrentdb)$': '<rootDir>/libs/event-store/src/$1/index.ts',
  ...mirrorModuleNameMapper(),
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] };
const common = { rootDir: __dirname, moduleFileExtensions: ['ts', 'js', 'json'], testEnvironment: 'node', transform, moduleNameMapper };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tests}/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,tests}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,tests}/**/*.e2e-spec.ts'] },
    // The same HTTP suite on PostgreSQL (a throwaway database per test file).
    {
      ...common,
      displayName: 'e2e-postgres',
      testMatch: ['<rootDir>/tests/e2e/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', 'cli-import'],
      setupFiles: ['<rootDir>/tests/jest/use-postgres.js'],
    },
  ],
};
