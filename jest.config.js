/**
 * Unit (*.spec.ts), real-database (*.int-spec.ts) and HTTP (*.e2e-spec.ts) tests, one runner.
 * Nest 12 ships as ES modules, which Node 20 loads through require() but Jest does not: tests use
 * CommonJS copies of those packages (tests/jest/esm-cjs-mirror.js), built once per install.
 */
const { mirrorModuleNameMapper } = require('./tests/jest/esm-cjs-mirror');

// The SQLite writer thread's entry, run from its TypeScript source (see tests/jest/ts-worker.js).
process.env.EARMARK_TS_WORKER_LOADER = require('node:path').join(__dirname, 'tests', 'jest', 'ts-worker.js');

const moduleNameMapper = {
  '^@earmark/(domain|application|event-store|projections|audit|notice-import|runtime|reports)$': '<rootDir>/libs/$1/src/index.ts',
  '^@earmark/event-store/(sqlite|postgres|kurrentdb)$': '<rootDir>/libs/event-store/src/$1/index.ts',
  ...mirrorModuleNameMapper(),
};
// Types are checked once for every file, tests included, by `npm run typecheck` (part of npm test);
// ts-jest only transpiles.
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
    // The desk's components in a DOM (jsdom), compiled with Preact's JSX.
    {
      rootDir: __dirname,
      displayName: 'dashboard',
      testMatch: ['<rootDir>/apps/dashboard/test/**/*.spec.tsx'],
      testEnvironment: 'jsdom',
      // Preact's CommonJS build: jsdom would otherwise pick its browser (ES module) files.
      testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
      moduleFileExtensions: ['tsx', 'ts', 'js', 'json'],
      moduleNameMapper: { '\\.css$': '<rootDir>/apps/dashboard/test/no-style.js' },
      transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/apps/dashboard/tsconfig.test.json', diagnostics: false }] },
    },
  ],
};
