/**
 * The architecture as an allow-list (docs/architecture.md draws it): an import passes only when
 * an `allowed` rule names its arrow; anything else fails as `not-in-allowed`. The `forbidden`
 * rules name the mistakes worth a message of their own. `npm run lint:deps` checks apps, libs
 * and tests; tests/architecture/dependency-rules.spec.ts breaks each rule on purpose.
 */
const src = (...parts) => parts.map((part) => `^libs/${part}/src/`);
const npm = (...names) => names.map((name) => `^node_modules/${name}/`);
/** A lib's public entry points: its index, and an index per adapter folder (`@earmark/event-store/sqlite`). */
const entryPoints = ['^libs/[^/]+/src/index\\.ts$', '^libs/[^/]+/src/[^/]+/index\\.ts$'];
const drivers = npm('pg', 'better-sqlite3', '@kurrent/kurrentdb-client');
const nest = npm('@nestjs/common', '@nestjs/core', '@nestjs/cqrs');
const http = npm('@nestjs/platform-fastify', '@nestjs/swagger', '@fastify/static', 'fastify', 'class-validator', 'class-transformer', 'rxjs');

module.exports = {
  allowed: [
    {
      comment: 'A part uses itself: its sources, and its tests their sources and support.',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '^$1/$2/' },
    },
    { comment: 'Node built-ins, everywhere but in the pure domain.', from: { pathNot: '^libs/domain/src/' }, to: { dependencyTypes: ['core'] } },
    { comment: 'Decorator metadata, loaded once by each program.', from: { path: '^(apps|tests)/' }, to: { path: npm('reflect-metadata') } },
    // libs/domain: nothing but itself (pure: no Nest, no I/O, no clock).
    { from: { path: src('notice-import') }, to: { path: src('domain') } },
    { from: { path: src('event-store') }, to: { path: drivers } },
    { from: { path: src('projections') }, to: { path: src('domain', 'event-store') } },
    { from: { path: src('audit') }, to: { path: src('domain', 'event-store') } },
    { from: { path: src('application') }, to: { path: [...src('domain', 'event-store', 'projections'), ...nest] } },
    {
      comment: 'The reconciliation report: one builder for the CLI and HTTP, from the query side.',
      from: { path: src('reports') },
      to: { path: [...src('domain', 'event-store', 'projections', 'application'), ...nest, ...npm('exceljs')] },
    },
    {
      from: { path: src('runtime') },
      to: { path: [...src('domain', 'event-store', 'projections', 'audit', 'application', 'notice-import'), ...nest] },
    },
    {
      from: { path: '^apps/api/src/' },
      to: { path: [...src('domain', 'event-store', 'projections', 'audit', 'application', 'runtime', 'reports'), ...nest, ...http] },
    },
    {
      from: { path: '^apps/cli/src/' },
      to: { path: [...src('domain', 'event-store', 'projections', 'audit', 'application', 'runtime', 'notice-import', 'reports'), ...nest] },
    },
    {
      comment: 'The desk is a browser app: Preact, and Vite to build it; the ledger only through HTTP.',
      from: { path: '^apps/dashboard/' },
      to: { path: [...npm('preact', 'vite'), '^vite/client$'] },
    },
    {
      comment: 'Tests reach what they test: any lib through its entry points, shared test support, the test tools.',
      from: { path: '^(apps/[^/]+/test|libs/[^/]+/test|tests)/' },
      to: { path: ['^libs/[^/]+/src/', '^libs/[^/]+/test/support/', ...drivers, ...nest, ...http, ...npm('fast-check', 'typescript', 'exceljs', 'playwright-core')] },
    },
    {
      comment: 'The HTTP, CLI, reliability and benchmark suites drive the apps as their users do.',
      from: { path: '^tests/' },
      to: { path: ['^tests/', '^apps/[^/]+/src/'] },
    },
  ],
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'no-app-to-app',
      comment: 'apps/api and apps/cli share what they need through libs/runtime; only bin/earmark.js knows both.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-deep-imports',
      comment: 'Another lib is used through its entry points only (@earmark/x, or @earmark/x/<adapter>).',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: [...entryPoints, '^libs/$1/'] },
    },
    {
      name: 'no-deep-imports-from-apps-and-tests',
      comment: 'Apps and tests, too, take a lib through its entry points.',
      severity: 'error',
      from: { path: '^(apps|tests)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: entryPoints },
    },
    {
      name: 'sources-never-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/[^/]+/src/' },
      to: { path: ['^(apps|libs)/[^/]+/test/', '^tests/'] },
    },
    {
      name: 'dashboard-talks-http-only',
      comment: 'the desk is a browser app: it reaches the ledger through the HTTP API, never by importing it.',
      severity: 'error',
      from: { path: '^apps/dashboard' },
      to: { path: '^(apps/(api|cli)|libs)/' },
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
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
