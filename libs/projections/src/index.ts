export * from './ledger-docs';
export * from './ledger.projection';
export * from './ledger.views';
export * from './in-memory-ledger';
export * from './ledger-rebuild';
export * from './projection-runner';
export * from './flags';
export * from './performance';
