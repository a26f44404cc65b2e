/**
 * What the offline verifier loads when it runs: the modules libs/audit reaches at run time must
 * include no database driver. Type-only imports are erased by the compiler, so this cruise reads
 * what it emits (tsPreCompilationDeps off). Once @earmark/event-store has an entry point without
 * drivers, the rule can join .dependency-cruiser.js and count types as well.
 */
const { options } = require('./.dependency-cruiser.js');

module.exports = {
  forbidden: [
    {
      name: 'audit-loads-no-driver',
      comment: 'the verifier must run offline with nothing but the export file and the key.',
      severity: 'error',
      from: { path: '^libs/audit/src/' },
      to: { path: ['^node_modules/(pg|better-sqlite3|@kurrent)/', '^node_modules/@nestjs/', '^libs/(application|projections|runtime)/'], reachable: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false },
};
