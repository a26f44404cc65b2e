/**
 * Boundaries the build enforces (`npm run lint:deps`, part of `npm test`):
 * the domain is pure, libraries never reach into apps, and the layers point inwards.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports only itself: no Nest, no Node I/O, no adapters, no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/src' },
      to: { pathNot: '^libs/domain/src' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'notice-import-is-pure',
      comment: 'the importer parses text; the CLI reads files and records through the command path.',
      severity: 'error',
      from: { path: '^libs/notice-import/src' },
      to: { pathNot: '^libs/(notice-import|domain)/src' },
    },
    {
      name: 'audit-needs-no-nest-or-database',
      comment: 'the verifier must run offline with nothing but the export file and the key.',
      severity: 'error',
      from: { path: '^libs/audit/src' },
      to: { path: '(^node_modules/(@nestjs|better-sqlite3|pg|@kurrent))|^libs/(application|projections)' },
    },
    {
      name: 'event-store-below-application',
      severity: 'error',
      from: { path: '^libs/event-store/src' },
      to: { path: '^libs/(application|projections|audit|notice-import)' },
    },
    {
      name: 'dashboard-talks-http-only',
      comment: 'the desk is a browser app: it reaches the ledger through the HTTP API, never by importing it.',
      severity: 'error',
      from: { path: '^apps/dashboard' },
      to: { path: '^(apps/(api|cli)|libs)/' },
    },
    {
      name: 'api-never-imports-cli',
      comment: 'what the CLI and the API share lives in a library (the report builder in libs/reports).',
      severity: 'error',
      from: { path: '^apps/api' },
      to: { path: '^apps/(cli|dashboard)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)test/|\\.spec\\.ts$|-spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
