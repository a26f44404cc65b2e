export * from './merkle';
export * from './checkpoint';
export * from './event-leaves';
export * from './balance-replay';
export * from './ledger-verifier';
export * from './export-file';
export * from './checkpoint-record';
export * from './ledger-tree';
