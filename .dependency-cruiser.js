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
      name: 'event-store-port-loads-no-driver',
      comment: 'the port, its errors and contract types are @earmark/event-store; each adapter is its own entry point.',
      severity: 'error',
      from: { path: '^libs/event-store/src/[^/]+\\.ts$' },
      to: { path: '^node_modules/(better-sqlite3|pg|@kurrent)|^libs/event-store/src/(sqlite|postgres|kurrentdb)/' },
    },
    {
      name: 'event-store-adapters-stand-alone',
      comment: 'an adapter loads its own driver only.',
      severity: 'error',
      from: { path: '^libs/event-store/src/(sqlite|postgres|kurrentdb)/' },
      to: { path: '^libs/event-store/src/(sqlite|postgres|kurrentdb)/', pathNot: '^libs/event-store/src/$1/' },
    },
    ...[
      ['sqlite', 'pg|@kurrent'],
      ['postgres', 'better-sqlite3|@kurrent'],
      ['kurrentdb', 'better-sqlite3|pg'],
    ].map(([adapter, drivers]) => ({
      name: `event-store-${adapter}-loads-no-other-driver`,
      severity: 'error',
      from: { path: `^libs/event-store/src/${adapter}/` },
      to: { path: `^node_modules/(${drivers})/` },
    })),
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
